# Generates C from every .proto under proto/ with protoc-c into the build tree
# (never committed) and builds it as the static library ims_proto.
file(GLOB_RECURSE IMS_PROTO_FILES RELATIVE "${CMAKE_CURRENT_SOURCE_DIR}/proto"
     CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/proto/*.proto")
set(IMS_PROTO_OUT "${CMAKE_CURRENT_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${IMS_PROTO_OUT}")
set(IMS_PROTO_SOURCES "")
foreach(rel ${IMS_PROTO_FILES})
  string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
  set(c "${IMS_PROTO_OUT}/${stem}.pb-c.c")
  set(h "${IMS_PROTO_OUT}/${stem}.pb-c.h")
  add_custom_command(
    OUTPUT "${c}" "${h}"
    COMMAND ${PROTOC_C} "--proto_path=${CMAKE_CURRENT_SOURCE_DIR}/proto" "--c_out=${IMS_PROTO_OUT}" "${rel}"
    DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/proto/${rel}"
    WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}/proto"
    COMMENT "protoc-c ${rel}")
  list(APPEND IMS_PROTO_SOURCES "${c}")
endforeach()
add_library(ims_proto STATIC ${IMS_PROTO_SOURCES})
target_include_directories(ims_proto PUBLIC "${IMS_PROTO_OUT}")
target_link_libraries(ims_proto PUBLIC PkgConfig::PROTOBUFC)
# Generated code is not ours to keep warning-free under -Wpedantic.
target_compile_options(ims_proto PRIVATE -w)
set_target_properties(ims_proto PROPERTIES POSITION_INDEPENDENT_CODE ON)
