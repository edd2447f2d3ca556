# SPDX-License-Identifier: GPL-2.0-or-later
#
# CPack runs this on the staged files before it builds the Debian package
# (CPACK_PRE_BUILD_SCRIPTS, cmake/packaging.cmake): manual pages are shipped
# compressed (Debian policy 12.1), with gzip -9n so the package does not
# change with the build time. A plain `cmake --install` keeps them as they are.
find_program(GZIP gzip REQUIRED)
file(GLOB_RECURSE pages LIST_DIRECTORIES false "${CPACK_TEMPORARY_DIRECTORY}/*")
list(FILTER pages INCLUDE REGEX "/share/man/man[1-8]/[^/]+\\.[1-8]$")
if(NOT pages)
  message(FATAL_ERROR "deb-prebuild: no manual pages under ${CPACK_TEMPORARY_DIRECTORY}")
endif()
foreach(page IN LISTS pages)
  execute_process(COMMAND ${GZIP} -9nf ${page} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "deb-prebuild: gzip ${page} failed")
  endif()
endforeach()
