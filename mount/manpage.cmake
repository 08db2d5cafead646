# SPDX-License-Identifier: Apache-2.0
# Writes lakefs-mount's manual page, lakefs-mount.1.gz, from the program's own --help, so that the two never
# disagree. Run by mount/CMakeLists.txt after lakefs-mount is linked:
#   cmake -DPROGRAM=path/to/lakefs-mount -DVERSION=x.y.z -DOUTPUT=path/to/lakefs-mount.1.gz -P manpage.cmake
# The help becomes the DESCRIPTION, kept as written (no filling); troff's special characters are escaped.
foreach(var PROGRAM VERSION OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "manpage.cmake: -D${var}=... is required")
  endif()
endforeach()

execute_process(COMMAND ${PROGRAM} --help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "manpage.cmake: `${PROGRAM} --help` exited with ${rc}")
endif()

# The first paragraph is the usage line: the SYNOPSIS says it.
string(REGEX REPLACE "^Usage:[^\n]*\n\n" "" help "${help}")
string(REPLACE "See docs/mount.md for" "See the lakefs-cpp documentation (docs/mount.md) for" help "${help}")
# troff: a backslash is \e, a minus sign \-; a line starting with . or ' would be a request (\& keeps it text).
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" help "${help}")

string(CONCAT page
  ".TH LAKEFS\\-MOUNT 1 \"\" \"lakefs-cpp ${VERSION}\" \"User Commands\"\n"
  ".SH NAME\n"
  "lakefs\\-mount \\- a lakeFS commit, tag or branch as a local read\\-only filesystem\n"
  ".SH SYNOPSIS\n"
  ".B lakefs\\-mount\n"
  ".I lakefs://REPOSITORY/REF\\fR[\\fI/PREFIX\\fR]\n"
  ".I MOUNTPOINT\n"
  "[\\fIOPTIONS\\fR]\n"
  ".SH DESCRIPTION\n"
  ".nf\n"
  "${help}"
  ".fi\n"
  ".SH SEE ALSO\n"
  ".BR fusermount3 (1),\n"
  ".BR fuse (8)\n")

get_filename_component(dir "${OUTPUT}" DIRECTORY)
get_filename_component(name "${OUTPUT}" NAME_WLE)
file(WRITE "${dir}/${name}" "${page}")
# -n: no name or time stamp in the archive, so the same page compresses to the same bytes.
execute_process(COMMAND gzip -9n -f "${dir}/${name}" RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "manpage.cmake: gzip failed (${rc})")
endif()
