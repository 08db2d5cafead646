// Umbrella header: everything the lakefs-cpp SDK offers.
#pragma once

#include "lakefs/client.hpp"
#include "lakefs/errors.hpp"
#include "lakefs/transport.hpp"
#include "lakefs/version.hpp"
