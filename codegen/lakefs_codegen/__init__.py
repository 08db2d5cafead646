# SPDX-License-Identifier: Apache-2.0
"""The generator of lakefs-cpp's lakefs::api layer, in parts; codegen/generate.py is its command line.

    spec_file        reading the spec: the pinned lakeFS version, swagger.yml in the Go module cache
    special_cases    every exception to the generic rules, as data, each with its reason
    naming           C++ identifiers: case conversion, reserved words, tag and class names
    schema           the spec's schemas resolved into C++ types: structs, aliases, enums
    docs             the banner of generated files and the Doxygen comments of their declarations
    models           models.hpp and the JSON codec (model_codec.hpp, models_N.cpp)
    operations       the operations, their request structs and the API classes that send them
    generated_tests  the round-trip test of every model and the fuzzing table and dictionary
    files            which file is generated from what, and writing the tree

See codegen/README.md.
"""
