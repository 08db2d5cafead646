// Umbrella header: everything the lakefs-cpp SDK offers.
#pragma once

#include "lakefs/branch.hpp"
#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/import.hpp"
#include "lakefs/listing.hpp"
#include "lakefs/models.hpp"
#include "lakefs/object.hpp"
#include "lakefs/object_io.hpp"
#include "lakefs/reference.hpp"
#include "lakefs/repository.hpp"
#include "lakefs/tag.hpp"
#include "lakefs/transaction.hpp"
#include "lakefs/transfer.hpp"
#include "lakefs/transport.hpp"
#include "lakefs/version.hpp"
