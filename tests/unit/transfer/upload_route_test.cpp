// SPDX-License-Identifier: Apache-2.0
// The one rule that routes an upload (src/transfer/upload_route.cpp), as Object::upload* and the ObjectWriter use
// it: through lakeFS, one pre-signed PUT, or a pre-signed multipart upload, by size, threshold, the caller's
// choices and the server's capabilities; and the combinations it refuses.
#include "transfer/upload_route.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>

#include "lakefs/errors.hpp"
#include "transfer/multipart_upload.hpp"

namespace {

using lakefs::detail::StoreCapabilities;
using lakefs::detail::upload_route;
using lakefs::detail::UploadCase;
using lakefs::detail::UploadRoute;
using testing::HasSubstr;

constexpr std::uint64_t MiB = 1u << 20;
constexpr std::uint64_t GiB = 1u << 30;

const StoreCapabilities kLocal{};                                           // no pre-signing at all
const StoreCapabilities kPutOnly{.pre_sign = true};                         // pre-signed PUT, no multipart
const StoreCapabilities kS3{.pre_sign = true, .pre_sign_multipart = true};  // both

// The route, counting how often the capabilities were asked for.
struct Router {
  StoreCapabilities store;
  int asked = 0;
  UploadRoute operator()(const UploadCase& upload) {
    return upload_route(
        upload,
        [this] {
          ++asked;
          return store;
        },
        "upload of 'x'");
  }
};

std::string refusal(const StoreCapabilities& store, const UploadCase& upload) {
  try {
    (void)Router{store}(upload);
  } catch (const lakefs::NotSupportedError& e) {
    return e.what();
  }
  return "no NotSupportedError";
}

TEST(UploadRoute, FalseGoesThroughLakefsWithoutAskingTheServer) {
  Router router{kS3};
  EXPECT_EQ(router({.length = 100 * MiB, .in_parts = true, .pre_sign = false}), UploadRoute::through_lakefs);
  EXPECT_EQ(router({.in_parts = true, .pre_sign = false}), UploadRoute::through_lakefs);  // a writer
  EXPECT_EQ(router({.length = 1, .pre_sign = false, .storage_class = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(router.asked, 0);
}

TEST(UploadRoute, UnsetFollowsTheServer) {
  EXPECT_EQ(Router{kLocal}({.length = 10, .in_parts = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kPutOnly}({.length = 10, .in_parts = true}), UploadRoute::presigned_put);
  EXPECT_EQ(Router{kS3}({.length = 10, .in_parts = true}), UploadRoute::presigned_put);
  // At the threshold (64 MiB by default, or the caller's) an object goes up in parts where it can.
  EXPECT_EQ(Router{kS3}({.length = 64 * MiB - 1, .in_parts = true}), UploadRoute::presigned_put);
  EXPECT_EQ(Router{kS3}({.length = 64 * MiB, .in_parts = true}), UploadRoute::presigned_multipart);
  EXPECT_EQ(Router{kS3}({.length = 10 * MiB, .in_parts = true, .multipart_threshold = 10 * MiB}),
            UploadRoute::presigned_multipart);
  // Without random access, or without multipart support, one PUT.
  EXPECT_EQ(Router{kS3}({.length = 100 * MiB}), UploadRoute::presigned_put);
  EXPECT_EQ(Router{kPutOnly}({.length = 100 * MiB, .in_parts = true}), UploadRoute::presigned_put);
}

TEST(UploadRoute, TheThresholdIsCappedAtTheSinglePutLimit) {
  EXPECT_EQ(lakefs::detail::multipart_threshold(0), lakefs::detail::default_multipart_threshold);
  EXPECT_EQ(lakefs::detail::multipart_threshold(100 * GiB), lakefs::detail::max_single_put);
  EXPECT_EQ(Router{kS3}({.length = 5 * GiB, .in_parts = true, .multipart_threshold = 100 * GiB}),
            UploadRoute::presigned_multipart);
}

TEST(UploadRoute, ConditionalUploadsAvoidMultipartWhichLakefsDoesNotCheck) {
  // Large and conditional: through lakeFS, unless pre-signing was asked for (then one PUT).
  EXPECT_EQ(Router{kS3}({.length = 100 * MiB, .in_parts = true, .conditional = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kS3}({.length = 100 * MiB, .in_parts = true, .pre_sign = true, .conditional = true}),
            UploadRoute::presigned_put);
  // Small and conditional: one PUT, whose link lakeFS checks.
  EXPECT_EQ(Router{kS3}({.length = 10, .in_parts = true, .conditional = true}), UploadRoute::presigned_put);
}

TEST(UploadRoute, BeyondOnePutWithoutPartsGoesThroughLakefsOrIsRefusedWhenForced) {
  const std::uint64_t huge = 6 * GiB;
  EXPECT_EQ(Router{kPutOnly}({.length = huge, .in_parts = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kS3}({.length = huge}), UploadRoute::through_lakefs);
  EXPECT_THAT(refusal(kPutOnly, {.length = huge, .in_parts = true, .pre_sign = true}),
              HasSubstr("(the server does not support them)"));
  EXPECT_THAT(refusal(kS3, {.length = huge, .pre_sign = true}), HasSubstr("(the stream cannot be read at offsets)"));
  EXPECT_THAT(refusal(kS3, {.length = huge, .in_parts = true, .pre_sign = true, .conditional = true}),
              HasSubstr("(conditional)"));
  EXPECT_THAT(refusal(kS3, {.length = huge, .in_parts = true, .pre_sign = true, .conditional = true}),
              HasSubstr("upload of 'x': 6442450944 bytes is more than one PUT"));
}

TEST(UploadRoute, TrueOnAServerWithoutPreSigningIsRefused) {
  EXPECT_THAT(refusal(kLocal, {.length = 10, .pre_sign = true}),
              HasSubstr("upload of 'x': pre-signed transfer requested (pre_sign = true)"));
}

TEST(UploadRoute, AStorageClassGoesOnlyThroughLakefs) {
  Router router{kS3};
  EXPECT_EQ(router({.length = 10, .in_parts = true, .storage_class = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(router.asked, 0);
  EXPECT_THAT(refusal(kS3, {.length = 10, .pre_sign = true, .storage_class = true}),
              HasSubstr("a storage class is sent only through lakeFS"));
}

TEST(UploadRoute, AnUnmeasuredStreamGoesThroughLakefs) {
  Router router{kS3};
  EXPECT_EQ(router({}), UploadRoute::through_lakefs);
  EXPECT_EQ(router.asked, 0);
  EXPECT_THAT(refusal(kS3, {.pre_sign = true}), HasSubstr("needs the length in advance"));
}

TEST(UploadRoute, AWriterGoesUpInPartsWhenTheServerAllowsAndItIsNotExclusive) {
  const UploadCase writer{.in_parts = true};
  EXPECT_EQ(Router{kS3}(writer), UploadRoute::presigned_multipart);
  EXPECT_EQ(Router{kPutOnly}(writer), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kLocal}(writer), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kS3}({.in_parts = true, .conditional = true}), UploadRoute::through_lakefs);
  EXPECT_EQ(Router{kS3}({.in_parts = true, .pre_sign = true}), UploadRoute::presigned_multipart);
  EXPECT_THAT(refusal(kPutOnly, {.in_parts = true, .pre_sign = true}),
              HasSubstr("does not support pre-signed multipart uploads"));
  EXPECT_THAT(refusal(kS3, {.in_parts = true, .pre_sign = true, .conditional = true}),
              HasSubstr("exclusive cannot be combined with pre_sign = true"));
  // Unsupported is reported before exclusive.
  EXPECT_THAT(refusal(kLocal, {.in_parts = true, .pre_sign = true, .conditional = true}),
              HasSubstr("does not support pre-signed multipart uploads"));
}

// An asynchronous upload fetches the capabilities before it asks for the route, and only when the route needs
// them: route_needs_store() must say exactly when upload_route() asks.
TEST(UploadRoute, NeedsTheStoreExactlyWhenTheRouteAsksForIt) {
  for (const std::optional<std::uint64_t> length :
       {std::optional<std::uint64_t>{}, std::optional<std::uint64_t>{MiB}, std::optional<std::uint64_t>{100 * MiB}}) {
    for (const bool in_parts : {false, true}) {
      for (const std::optional<bool> pre_sign : {std::optional<bool>{}, std::optional<bool>{false}}) {
        for (const bool conditional : {false, true}) {
          for (const bool storage_class : {false, true}) {
            const UploadCase upload{.length = length,
                                    .in_parts = in_parts,
                                    .pre_sign = pre_sign,
                                    .conditional = conditional,
                                    .storage_class = storage_class};
            Router router{kS3};
            (void)router(upload);
            EXPECT_EQ(router.asked > 0, lakefs::detail::route_needs_store(upload))
                << "length " << length.value_or(0) << " in_parts " << in_parts << " pre_sign " << pre_sign.has_value()
                << " conditional " << conditional << " storage_class " << storage_class;
          }
        }
      }
    }
  }
}

}  // namespace
