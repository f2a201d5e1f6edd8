# The statements each module prepares live in sql/statements/<module>.sql. At build time
# cmake/sql_statements.cmake turns each file into a C header in the build tree (never
# committed); the header comes with an INTERFACE library the module links.
function(ims_sql_statements target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "SOURCE;HEADER;LIST;PREFIX;ENUM;ENUM_PREFIX" "")
  set(dir "${PROJECT_BINARY_DIR}/gen/sql/${target}")
  set(header "${dir}/${arg_HEADER}")
  set(source "${PROJECT_SOURCE_DIR}/sql/statements/${arg_SOURCE}")
  # More statements of the module, one file per resource: sql/statements/<module>/*.sql.
  get_filename_component(module "${arg_SOURCE}" NAME_WE)
  file(GLOB more CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/sql/statements/${module}/*.sql")
  list(SORT more)
  set(sources "${source}" ${more})
  list(JOIN sources "|" source)
  set(script "${PROJECT_SOURCE_DIR}/cmake/sql_statements.cmake")
  set(defines -DSOURCE=${source} -DHEADER=${header} -DLIST=${arg_LIST} -DPREFIX=${arg_PREFIX})
  if(arg_ENUM)
    list(APPEND defines -DENUM=${arg_ENUM} -DENUM_PREFIX=${arg_ENUM_PREFIX})
  endif()
  file(MAKE_DIRECTORY "${dir}")
  add_custom_command(
    OUTPUT "${header}"
    COMMAND ${CMAKE_COMMAND} ${defines} -P "${script}"
    DEPENDS ${sources} "${script}"
    COMMENT "sql statements ${arg_SOURCE} -> ${arg_HEADER}"
    VERBATIM)
  add_custom_target(${target}_header DEPENDS "${header}")
  add_library(${target} INTERFACE)
  target_include_directories(${target} INTERFACE "${dir}")
  add_dependencies(${target} ${target}_header)
endfunction()

# rpc/: statements.h, RPC_STATEMENTS(X) and enum rpc_statement (STMT_<NAME>).
ims_sql_statements(ims_sql_rpc SOURCE rpc.sql HEADER statements.h LIST RPC_STATEMENTS
                   PREFIX RPC ENUM rpc_statement ENUM_PREFIX STMT)
# db/: db_statements.h, DB_STATEMENTS(X): the transaction frame, LISTEN, the migrator.
ims_sql_statements(ims_sql_db SOURCE db.sql HEADER db_statements.h LIST DB_STATEMENTS PREFIX DB)
