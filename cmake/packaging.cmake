# SPDX-License-Identifier: GPL-2.0-or-later
#
# The Debian package: CPack's DEB generator over the install rules of
# CMakeLists.txt. tools/build-deb.sh configures a Release tree with prefix
# /usr and runs cpack; doc/packaging.md describes the result.
#
# Files that only the package carries (the Debian changelog, the maintainer
# scripts) are in contrib/debian/. The copyright file is installed by every
# install, to share/doc/mcproxy.

install(FILES ${PROJECT_SOURCE_DIR}/contrib/debian/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Debian policy 12.7: a binary package has its changelog.Debian.gz. Only the
# package gets it (component "deb", left out of a plain `cmake --install`).
set(MCPROXY_DEB_RELEASE 1 CACHE STRING "Debian revision of the package (VERSION-RELEASE)")
set(MCPROXY_DEB_MAINTAINER "mcproxy maintainers <mcproxy@example.org>"
  CACHE STRING "Maintainer field of the Debian package")
if(DEFINED ENV{SOURCE_DATE_EPOCH})
  string(TIMESTAMP deb_date "%a, %d %b %Y %H:%M:%S +0000" UTC)
else()
  # A fixed date keeps the package the same from one build to the next.
  set(deb_date "Thu, 26 Nov 2026 00:00:00 +0000")
endif()
file(WRITE ${PROJECT_BINARY_DIR}/cpack-deb/changelog.Debian
  "mcproxy (${PROJECT_VERSION}-${MCPROXY_DEB_RELEASE}) unstable; urgency=medium\n\n"
  "  * Package built from the source tree with CPack (tools/build-deb.sh).\n\n"
  " -- ${MCPROXY_DEB_MAINTAINER}  ${deb_date}\n")
find_program(GZIP gzip REQUIRED)
execute_process(COMMAND ${GZIP} -9nf ${PROJECT_BINARY_DIR}/cpack-deb/changelog.Debian COMMAND_ERROR_IS_FATAL ANY)
install(FILES ${PROJECT_BINARY_DIR}/cpack-deb/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR}
  COMPONENT deb EXCLUDE_FROM_ALL)

# Maintainer scripts, with the conffile list: /etc/mcproxy.conf is the
# administrator's file (dpkg keeps their edits on upgrade, removes it on purge).
file(WRITE ${PROJECT_BINARY_DIR}/cpack-deb/conffiles "${MCPROXY_CONF_DIR}/mcproxy.conf\n")
foreach(script IN ITEMS postinst prerm postrm)
  configure_file(${PROJECT_SOURCE_DIR}/contrib/debian/${script} ${PROJECT_BINARY_DIR}/cpack-deb/${script} COPYONLY)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mcproxy)
set(CPACK_PACKAGE_VENDOR "mcproxy")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${MCPROXY_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "IGMP/MLD proxy daemon (RFC 4605)")
string(CONCAT CPACK_PACKAGE_DESCRIPTION
  "mcproxy forwards multicast between networks as an IGMP/MLD proxy (RFC 4605):\n"
  "it acts as querier on its downstream interfaces, reports the merged\n"
  "membership upstream as a host, and programs the kernel's multicast\n"
  "routing tables. IGMPv1/v2/v3 and MLDv1/v2, several proxy instances with\n"
  "their own tables, filter tables and several upstreams.\n"
  "\n"
  "The package holds the daemon with its systemd unit, mcproxyctl (the\n"
  "control socket client) and mcproxy-tester (a multicast test tool).")
set(CPACK_DEBIAN_PACKAGE_RELEASE ${MCPROXY_DEB_RELEASE})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MCPROXY_DEB_MAINTAINER}")
# Depends: from the shared libraries the binaries link (dpkg-shlibdeps).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# procps: /bin/kill of the unit's ExecReload= (not in a minimal Debian; found
# by tests/ops/test_package_systemd.py, where `systemctl reload` failed 203/EXEC).
set(CPACK_DEBIAN_PACKAGE_DEPENDS procps)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${PROJECT_BINARY_DIR}/cpack-deb/conffiles ${PROJECT_BINARY_DIR}/cpack-deb/postinst
  ${PROJECT_BINARY_DIR}/cpack-deb/prerm ${PROJECT_BINARY_DIR}/cpack-deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
# Compressed manual pages in the package only (cmake/deb-prebuild.cmake).
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/deb-prebuild.cmake)
# The configuration (/etc) and the unit are absolute paths: stage with DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# One package of the default component plus "deb".
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL Unspecified deb)
include(CPack)
