# What `cmake --install` places, and the Debian packages CPack builds of the same.
#
# Components (one Debian package each):
#   server  imsd, the SQL, the sample configuration, the systemd unit, imsd(8), imsd.conf(5)
#   cli     imsctl, imsctl(1), its bash completion
#   lib     libimsclient.so.N
#   dev     the headers, libimsclient.so and libimsclient.pc
#
# The unit and the man pages carry the paths of this installation, so an install under
# /usr/local names /usr/local/bin/imsd and one under /usr names /usr/bin/imsd.

set(IMS_FULL_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}")
set(IMS_FULL_SYSCONFDIR "${CMAKE_INSTALL_FULL_SYSCONFDIR}")
set(IMS_FULL_DATADIR "${CMAKE_INSTALL_FULL_DATADIR}")
set(IMS_FULL_LIBDIR "${CMAKE_INSTALL_FULL_LIBDIR}")
set(IMS_FULL_INCLUDEDIR "${CMAKE_INSTALL_FULL_INCLUDEDIR}")
set(IMS_VERSION "${PROJECT_VERSION}")
set(IMS_SYSTEMD_UNIT_DIR "lib/systemd/system" CACHE STRING
    "Where the systemd unit goes, relative to the prefix or absolute")
set(IMS_GEN_INSTALL "${CMAKE_BINARY_DIR}/install")

# server
install(DIRECTORY "${CMAKE_SOURCE_DIR}/sql/" DESTINATION "${CMAKE_INSTALL_DATADIR}/ims/sql"
        COMPONENT server FILES_MATCHING PATTERN "*.sql")
# The control board's files (Chart.js comes from Debian's libjs-chart.js, see web_chart_js).
install(DIRECTORY "${CMAKE_SOURCE_DIR}/web/" DESTINATION "${CMAKE_INSTALL_DATADIR}/ims/web"
        COMPONENT server)
configure_file("${CMAKE_SOURCE_DIR}/deploy/imsd.service.in" "${IMS_GEN_INSTALL}/imsd.service" @ONLY)
install(FILES "${IMS_GEN_INSTALL}/imsd.service" DESTINATION "${IMS_SYSTEMD_UNIT_DIR}"
        COMPONENT server)
install(FILES "${CMAKE_SOURCE_DIR}/deploy/imsd.conf" "${CMAKE_SOURCE_DIR}/deploy/imsd-migrate.conf"
        DESTINATION "${CMAKE_INSTALL_FULL_SYSCONFDIR}/ims" COMPONENT server)
install(FILES "${CMAKE_SOURCE_DIR}/deploy/imsd.conf" "${CMAKE_SOURCE_DIR}/deploy/imsd-migrate.conf"
        DESTINATION "${CMAKE_INSTALL_DOCDIR}/examples" COMPONENT server)
foreach(page imsd.8 imsd.conf.5 imsctl.1)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section "${page}")
  configure_file("${CMAKE_SOURCE_DIR}/docs/man/${page}" "${IMS_GEN_INSTALL}/man/${page}" @ONLY)
  if(page STREQUAL "imsctl.1")
    set(component cli)
  else()
    set(component server)
  endif()
  install(FILES "${IMS_GEN_INSTALL}/man/${page}" DESTINATION "${CMAKE_INSTALL_MANDIR}/man${section}"
          COMPONENT ${component})
endforeach()

# cli
install(FILES "${CMAKE_SOURCE_DIR}/deploy/bash-completion/imsctl"
        DESTINATION "${CMAKE_INSTALL_DATADIR}/bash-completion/completions" COMPONENT cli)

# dev: the header, the error list it includes and the generated message headers, under
# include/imsclient so that the generated grpc/ folder cannot meet another library's.
if(TARGET ims_client_shared)
  install(FILES "${CMAKE_SOURCE_DIR}/client/lib/include/ims/client.h"
                "${CMAKE_SOURCE_DIR}/common/include/ims/error.h"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/imsclient/ims" COMPONENT dev)
  install(DIRECTORY "${IMS_PROTO_OUT}/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/imsclient"
          COMPONENT dev FILES_MATCHING PATTERN "*.h")
  configure_file("${CMAKE_SOURCE_DIR}/cmake/libimsclient.pc.in" "${IMS_GEN_INSTALL}/libimsclient.pc" @ONLY)
  install(FILES "${IMS_GEN_INSTALL}/libimsclient.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig"
          COMPONENT dev)
endif()

# Debian packages: cpack -G DEB in a build configured with -DCMAKE_INSTALL_PREFIX=/usr.
set(CPACK_PACKAGE_NAME ims)
set(CPACK_PACKAGE_VENDOR "ims")
set(CPACK_PACKAGE_CONTACT "ims maintainers <ims@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ims integrated management system")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_GENERATOR DEB)
# Files with absolute destinations (/etc/ims) go into the package, not onto this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL server cli lib dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# shlibs and the ldconfig trigger for libimsclient0.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_SECTION misc)
set(CPACK_DEBIAN_SERVER_PACKAGE_NAME imsd)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION database)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "ims server (imsd)\n imsd serves the ims API over PostgreSQL; with its SQL, unit and configuration.")
set(CPACK_DEBIAN_SERVER_PACKAGE_SUGGESTS "postgresql (>= 15)")
set(CPACK_DEBIAN_SERVER_PACKAGE_RECOMMENDS "libjs-chart.js")
set(CPACK_DEBIAN_SERVER_PACKAGE_DEPENDS "adduser")
configure_file("${CMAKE_SOURCE_DIR}/deploy/debian/imsd.postinst" "${IMS_GEN_INSTALL}/debian/postinst" COPYONLY)
configure_file("${CMAKE_SOURCE_DIR}/deploy/debian/imsd.postrm" "${IMS_GEN_INSTALL}/debian/postrm" COPYONLY)
file(WRITE "${IMS_GEN_INSTALL}/debian/conffiles"
     "${CMAKE_INSTALL_FULL_SYSCONFDIR}/ims/imsd.conf\n${CMAKE_INSTALL_FULL_SYSCONFDIR}/ims/imsd-migrate.conf\n")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
    "${IMS_GEN_INSTALL}/debian/postinst;${IMS_GEN_INSTALL}/debian/postrm;${IMS_GEN_INSTALL}/debian/conffiles")
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_CLI_PACKAGE_NAME imsctl)
set(CPACK_DEBIAN_CLI_DESCRIPTION "ims command-line client (imsctl)\n imsctl calls an ims server: tenants, assessments, incidents, metrics, levels.")
set(CPACK_DEBIAN_CLI_PACKAGE_RECOMMENDS "bash-completion")
set(CPACK_DEBIAN_LIB_PACKAGE_NAME libimsclient${PROJECT_VERSION_MAJOR})
set(CPACK_DEBIAN_LIB_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_LIB_DESCRIPTION "ims client library\n libimsclient calls an ims server over gRPC (HTTP/2).")
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libimsclient-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "ims client library: development files\n The header, the pkg-config file and the linker name of libimsclient.")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
    "libimsclient${PROJECT_VERSION_MAJOR} (= ${PROJECT_VERSION}), libprotobuf-c-dev")
include(CPack)
