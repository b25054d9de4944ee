# SPDX-License-Identifier: MIT
# hive_add_test(NAME SOURCES ... LIBS ... [LABELS ...] [TIMEOUT s])
# One Qt Test executable per unit. Each runs with a private HOME and XDG dirs under the build tree,
# offscreen Qt, and a fixed locale, so no test reads or writes the developer's own configuration.
function(hive_add_test name)
    cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE hive_options hive_test_support Qt6::Test ${ARG_LIBS})
    set(home "${CMAKE_BINARY_DIR}/test-home/${name}")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 120)
    endif()
    set_tests_properties(${name} PROPERTIES
        TIMEOUT ${ARG_TIMEOUT}
        LABELS "${ARG_LABELS}"
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;HOME=${home};XDG_CONFIG_HOME=${home}/.config;XDG_DATA_HOME=${home}/.local/share;XDG_CACHE_HOME=${home}/.cache;XDG_RUNTIME_DIR=${home}/run;LANG=C.UTF-8;LC_ALL=C.UTF-8;HIVE_BIN_DIR=${CMAKE_BINARY_DIR}/bin;HIVE_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
