# SPDX-License-Identifier: Apache-2.0
"""Naming: case conversion (snake_case, PascalCase), safe C++ identifiers (reserved words renamed through
special_cases.KEYWORD_RENAMES), and the names derived from an API tag (class, Api member, file).
"""

import re

from .special_cases import KEYWORD_RENAMES, WORD_FIXES

# C++ keywords (and alternative tokens) that may not be used as identifiers.
CPP_KEYWORDS = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break",
    "case", "catch", "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept",
    "const", "consteval", "constexpr", "constinit", "const_cast", "continue", "co_await",
    "co_return", "co_yield", "decltype", "default", "delete", "do", "double", "dynamic_cast",
    "else", "enum", "explicit", "export", "extern", "false", "float", "for", "friend", "goto",
    "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register",
    "reinterpret_cast", "requires", "return", "short", "signed", "sizeof", "static",
    "static_assert", "static_cast", "struct", "switch", "template", "this", "thread_local",
    "throw", "true", "try", "typedef", "typeid", "typename", "union", "unsigned", "using",
    "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    # identifiers with special meaning that are best avoided as names
    "import", "module", "final", "override",
}


def snake(name):
    """camelCase / PascalCase / kebab-case -> snake_case (acronyms kept together)."""
    for bad, good in WORD_FIXES:
        name = name.replace(bad, good)
    name = name.replace("-", "_")
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return name.lower()


def pascal(name):
    """snake_case / camelCase -> PascalCase (existing capitals kept)."""
    parts = re.split(r"[_\-\s]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def ident(name):
    """A safe C++ identifier for a JSON name or parameter (keywords renamed)."""
    if name in CPP_KEYWORDS:
        return KEYWORD_RENAMES.get(name, name + "_value")
    if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", name):
        raise SystemExit(f"codegen: {name!r} is not a valid C++ identifier")
    return name


def class_name(tag):
    """The operation class of a tag (`RepositoriesApi`)."""
    return pascal(tag) + "Api"


def member_name(tag):
    """The member of lakefs::api::Api holding a tag's class (`repositories`)."""
    return ident(snake(tag))


def tag_file(tag):
    """The file name (no extension) of a tag's header and source (`repositories_api`)."""
    return snake(tag) + "_api"

