# SPDX-License-Identifier: MIT
# hive_options: the one INTERFACE target every hyperhive target links for language level,
# warnings and Qt strictness, so flags live in one place.
add_library(hive_options INTERFACE)
target_compile_features(hive_options INTERFACE cxx_std_20)
target_compile_options(hive_options INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wconversion -Wno-sign-conversion -Wimplicit-fallthrough)
target_compile_definitions(hive_options INTERFACE
    QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_CAST_FROM_BYTEARRAY QT_NO_URL_CAST_FROM_STRING
    QT_NO_NARROWING_CONVERSIONS_IN_CONNECT QT_NO_FOREACH QT_NO_KEYWORDS
    QT_DISABLE_DEPRECATED_UP_TO=0x060400
    HIVE_VERSION="${PROJECT_VERSION}")
if(HIVE_WERROR)
    target_compile_options(hive_options INTERFACE -Werror)
endif()
if(HIVE_SANITIZE)
    target_compile_options(hive_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer
                                                  -fno-sanitize-recover=undefined)
    target_link_options(hive_options INTERFACE -fsanitize=address,undefined)
endif()

find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
    set(CMAKE_CXX_COMPILER_LAUNCHER "${CCACHE_PROGRAM}" CACHE STRING "compiler launcher")
endif()
