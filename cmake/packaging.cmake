# SPDX-License-Identifier: Apache-2.0
# CPack: the Debian packages of lakefs-cpp, made from a shared-library build installed under /usr (the
# "package" preset):
#   liblakefs<SOVERSION>  the runtime: liblakefs.so.<SOVERSION> and liblakefs_testing.so.<SOVERSION>
#   liblakefs-dev         headers, the .so links, the CMake package config and the pkg-config files
#   lakefs-mount          the FUSE filesystem (mount/) and its manual page, when LAKEFS_BUILD_MOUNT is on
#   cmake --preset package && cmake --build --preset package && (cd build/package && cpack)
# tests/package/run.sh checks them with lintian and builds a consumer against them.

set(LAKEFS_DEB_MAINTAINER "${LAKEFS_MAINTAINER}")
set(LAKEFS_DEB_RUNTIME liblakefs${LAKEFS_SOVERSION})
set(LAKEFS_DEB_DEV liblakefs-dev)

# Debian policy: every package carries its copyright and changelog in /usr/share/doc/<package>/. The Debian
# changelog is written here from CHANGELOG.md, the one place a release is described: its entry for this version
# gives the date (a version CHANGELOG.md does not name yet is packaged as unreleased, dated today; ./dev release
# refuses it). CHANGELOG.md itself is installed beside it as the upstream changelog.
file(STRINGS ${PROJECT_SOURCE_DIR}/CHANGELOG.md _release REGEX "^## \\[${PROJECT_VERSION}\\] - [0-9]+-[0-9]+-[0-9]+$")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/CHANGELOG.md)
if(_release)
  string(REGEX REPLACE ".* - " "" _release_date "${_release}")
  set(_entry "Release ${PROJECT_VERSION}: see changelog.gz (CHANGELOG.md) beside this file.")
else()
  string(TIMESTAMP _release_date "%Y-%m-%d" UTC)
  set(_entry "Unreleased ${PROJECT_VERSION}: CHANGELOG.md has no entry for it yet.")
endif()
execute_process(COMMAND date -R -u -d "${_release_date} 12:00:00 UTC" OUTPUT_VARIABLE _release_date_rfc2822
                OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
file(MAKE_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/debian)
file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog
     CONTENT "lakefs-cpp (${PROJECT_VERSION}-1) unstable; urgency=medium\n\n  * ${_entry}\n\n -- ${LAKEFS_MAINTAINER}  ${_release_date_rfc2822}\n")
set(_changelog ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog.Debian.gz)
set(_upstream_changelog ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog.gz)
add_custom_command(OUTPUT ${_changelog} ${_upstream_changelog}
                   COMMAND gzip -9n -c ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog > ${_changelog}
                   COMMAND gzip -9n -c ${PROJECT_SOURCE_DIR}/CHANGELOG.md > ${_upstream_changelog}
                   DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/debian/changelog ${PROJECT_SOURCE_DIR}/CHANGELOG.md VERBATIM)
add_custom_target(lakefs_debian_changelog ALL DEPENDS ${_changelog} ${_upstream_changelog})
set(_components runtime dev)
if(LAKEFS_BUILD_MOUNT)
  list(APPEND _components mount)
endif()
foreach(component ${_components})
  if(component STREQUAL "runtime")
    set(_package ${LAKEFS_DEB_RUNTIME})
  elseif(component STREQUAL "dev")
    set(_package ${LAKEFS_DEB_DEV})
  else()
    set(_package lakefs-mount)
  endif()
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/debian/copyright ${_changelog} ${_upstream_changelog}
          DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/${_package} COMPONENT ${component})
endforeach()

# What the -dev package needs: the development packages of the libraries lakefsConfig.cmake and lakefs.pc ask
# for. Computed here from the files this build found (dpkg-query -S names the package that owns each), so they
# follow the build machine; hand-listed only where dpkg cannot tell (a non-Debian build).
set(_dev_depends "")
foreach(_owned ${CURL_INCLUDE_DIRS}/curl/curl.h ${simdjson_DIR}/simdjson-config.cmake
               ${simdjson_DIR}/simdjsonConfig.cmake ${yaml-cpp_DIR}/yaml-cpp-config.cmake)
  if(EXISTS ${_owned})
    file(REAL_PATH ${_owned} _real)
    execute_process(COMMAND dpkg-query -S ${_real} OUTPUT_VARIABLE _owner ERROR_QUIET RESULT_VARIABLE _rc)
    if(_rc EQUAL 0)
      string(REGEX REPLACE ":.*" "" _owner "${_owner}")
      list(APPEND _dev_depends ${_owner})
    endif()
  endif()
endforeach()
list(REMOVE_DUPLICATES _dev_depends)
list(LENGTH _dev_depends _found)
if(NOT _found EQUAL 3)
  set(_dev_depends libcurl4-openssl-dev libsimdjson-dev libyaml-cpp-dev)
endif()
string(REPLACE ";" ", " _dev_depends "${_dev_depends}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lakefs-cpp)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${LAKEFS_DEB_MAINTAINER})
# Each package's first description line is its own synopsis: CPackDeb prepends the project-wide summary unless
# it is CPack's placeholder, which it is here (and is then used nowhere).
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_COMPONENTS_ALL ${_components})
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${LAKEFS_DEB_MAINTAINER})
# Permissions and ownership as Debian policy (and lintian) want them.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME ${LAKEFS_DEB_RUNTIME})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# The runtime package's dependencies are computed by dpkg-shlibdeps from what the libraries link.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
# A shlibs file (packages built against the library then depend on this one) and the ldconfig trigger. CPack
# also writes postinst/postrm scripts that run ldconfig (lintian: a warning, maintscript-calls-ldconfig).
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/cmake/debian/triggers)
# Debian ships stripped libraries.
set(CPACK_STRIP_FILES ON)
set(_about "lakefs-cpp gives C++ programs repositories, branches, commits, tags, merges,
objects with streaming I/O, transactions, imports and typed access to every
endpoint of the lakeFS REST API.")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "C++ SDK for lakeFS - shared libraries
${_about}
This package holds the shared libraries that programs built with it load.")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ${LAKEFS_DEB_DEV})
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${LAKEFS_DEB_RUNTIME} (= ${PROJECT_VERSION}-1), ${_dev_depends}")
set(CPACK_DEBIAN_DEV_DESCRIPTION "C++ SDK for lakeFS - development files
${_about}
This package holds the headers, the CMake package (find_package(lakefs)) and
the pkg-config files (lakefs, lakefs-testing).")

# lakefs-mount: its shared-library dependencies (libfuse3, libc, libstdc++) from dpkg-shlibdeps, which cannot
# name the package of liblakefs (built here, not installed): that one is named, at this exact version. fuse3
# brings fusermount3, which mounts and unmounts for users other than root.
set(CPACK_DEBIAN_MOUNT_PACKAGE_NAME lakefs-mount)
set(CPACK_DEBIAN_MOUNT_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_MOUNT_PACKAGE_SHLIBDEPS ON)
# Where dpkg-shlibdeps finds liblakefs.so.<SOVERSION> (the build tree's copy): it must read it to compute the rest.
get_target_property(_lakefs_dir lakefs BINARY_DIR)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${_lakefs_dir})
set(CPACK_DEBIAN_MOUNT_PACKAGE_DEPENDS "${LAKEFS_DEB_RUNTIME} (= ${PROJECT_VERSION}-1), fuse3")
set(CPACK_DEBIAN_MOUNT_DESCRIPTION "lakeFS commits, tags and branches as local read-only filesystems
lakefs-mount shows a commit, tag or branch of a lakeFS repository as a local
read-only filesystem (FUSE), so that programs that only know files can read
versioned data. Files are read on demand in blocks, with read-ahead for
sequential readers and an on-disk block cache; a branch is pinned to a commit
or followed. Built on lakefs-cpp, the C++ SDK for lakeFS.")

include(CPack)
