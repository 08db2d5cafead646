# SPDX-License-Identifier: Apache-2.0
"""The spec's schemas as C++ types: the type tuples, their C++ spelling, and Spec, which resolves every
component schema (and the inline ones below it) into structs (allOf flattened), aliases and enums.

A type is a tuple:
  ("string",) ("int32",) ("int64",) ("double",) ("bool",) ("json",)
  ("enum", EnumName) ("model", StructName) ("alias", AliasName, underlying)
  ("vector", T) ("map", T)
"""

import re

from .naming import CPP_KEYWORDS, ident, pascal, snake
from .special_cases import SERVER_OMITTED_REQUIRED


PRIMITIVE_CPP = {
    "string": "std::string",
    "int32": "std::int32_t",
    "int64": "std::int64_t",
    "double": "double",
    "bool": "bool",
    "json": "JsonValue",
}


def cpp_type(t):
    kind = t[0]
    if kind in PRIMITIVE_CPP:
        return PRIMITIVE_CPP[kind]
    if kind == "enum":
        return f"Enum<{t[1]}>"
    if kind in ("model", "alias"):
        return t[1]
    if kind == "vector":
        return f"std::vector<{cpp_type(t[1])}>"
    if kind == "map":
        return f"std::map<std::string, {cpp_type(t[1])}>"
    raise AssertionError(t)


def type_label(t):
    """Human-readable name of a type, used in error messages."""
    kind = t[0]
    if kind in ("model", "alias", "enum"):
        return t[1]
    if kind == "vector":
        return type_label(t[1]) + "[]"
    if kind == "map":
        return "map<" + type_label(t[1]) + ">"
    return kind


def model_deps(t):
    """Names of structs/aliases a type needs complete."""
    kind = t[0]
    if kind in ("model", "alias"):
        return {t[1]}
    if kind in ("vector", "map"):
        return model_deps(t[1])
    return set()


class Field:
    def __init__(self, json_name, type_, required, description):
        self.json_name = json_name
        self.name = ident(json_name)
        self.type = type_
        self.required = required
        self.description = description

    @property
    def cpp(self):
        base = cpp_type(self.type)
        return base if self.required else f"std::optional<{base}>"


class Struct:
    def __init__(self, name, fields, description):
        self.name = name
        self.fields = fields
        self.description = description


class EnumDef:
    def __init__(self, name, values, description):
        self.name = name
        self.values = values
        self.description = description
        self.func = snake(name) + "_from_string"


class Spec:
    def __init__(self, doc):
        self.doc = doc
        self.schemas = doc["components"]["schemas"]
        self.structs = {}
        self.aliases = {}  # name -> underlying type
        self.enums = {}
        for name in self.schemas:
            self.resolve_component(name)

    # -- schema resolution
    def deref(self, ref):
        prefix = "#/components/schemas/"
        assert ref.startswith(prefix), ref
        return ref[len(prefix):]

    def resolve_component(self, name):
        if name in self.structs:
            return ("model", name)
        if name in self.aliases:
            return ("alias", name, self.aliases[name])
        schema = self.schemas[name]
        if self.is_struct_schema(schema):
            self.build_struct(name, schema)
            return ("model", name)
        underlying = self.resolve(schema, name)
        if underlying[0] in ("vector", "map"):
            self.aliases[name] = underlying
            return ("alias", name, underlying)
        if underlying[0] == "enum":
            return underlying
        raise SystemExit(f"codegen: unsupported top-level schema {name}")

    @staticmethod
    def is_struct_schema(schema):
        return "properties" in schema or "allOf" in schema

    def flatten(self, schema, name):
        """Properties (in order) and required names of a schema, allOf flattened."""
        props, required = [], set()
        if "$ref" in schema:
            return self.flatten(self.schemas[self.deref(schema["$ref"])], self.deref(schema["$ref"]))
        for part in schema.get("allOf", []):
            if "$ref" in part:
                target = self.deref(part["$ref"])
                p, r = self.flatten(self.schemas[target], target)
            else:
                p, r = self.flatten(part, name)
            for entry in p:
                if all(entry[0] != q[0] for q in props):
                    props.append(entry)
            required |= r
        for pname, pschema in schema.get("properties", {}).items():
            if all(pname != q[0] for q in props):
                props.append((pname, pschema, name))
        required |= set(schema.get("required", []))
        return props, required

    def build_struct(self, name, schema):
        self.structs[name] = None  # placeholder guards against recursion
        props, required = self.flatten(schema, name)
        fields = []
        for pname, pschema, owner in props:
            t = self.resolve(pschema, owner + pascal(pname))
            req = (pname in required and not pschema.get("nullable", False)
                   and (name, pname) not in SERVER_OMITTED_REQUIRED)
            fields.append(Field(pname, t, req, pschema.get("description", "")))
        names = [f.name for f in fields]
        if len(names) != len(set(names)):
            raise SystemExit(f"codegen: duplicate field names in {name}")
        self.structs[name] = Struct(name, fields, schema.get("description", ""))

    def resolve(self, schema, context):
        """Type of `schema`; inline objects/enums get the name `context`."""
        if "$ref" in schema:
            return self.resolve_component(self.deref(schema["$ref"]))
        if self.is_struct_schema(schema):
            if context in self.schemas:
                raise SystemExit(f"codegen: inline struct name {context} collides")
            if context not in self.structs:
                self.build_struct(context, schema)
            return ("model", context)
        typ = schema.get("type")
        if typ == "object":
            addp = schema.get("additionalProperties")
            if isinstance(addp, dict) and addp:
                return ("map", self.resolve(addp, context + "Value"))
            if addp is True or addp == {}:
                return ("map", ("json",))
            return ("json",)
        if typ == "array":
            return ("vector", self.resolve(schema.get("items", {}), context + "Item"))
        if typ == "string":
            if "enum" in schema:
                if context not in self.enums:
                    values = [str(v) for v in schema["enum"]]
                    for v in values:
                        if not re.match(r"^[a-z_][a-z0-9_]*$", v) or v in CPP_KEYWORDS or v == "unknown":
                            raise SystemExit(f"codegen: enum value {v!r} of {context} needs a rename rule")
                    self.enums[context] = EnumDef(context, values, schema.get("description", ""))
                return ("enum", context)
            return ("string",)
        if typ == "integer":
            return ("int32",) if schema.get("format") == "int32" else ("int64",)
        if typ == "number":
            return ("double",)
        if typ == "boolean":
            return ("bool",)
        return ("json",)

    def struct_order(self):
        """Structs and aliases in dependency order, alphabetical otherwise."""
        deps = {}
        for s in self.structs.values():
            d = set()
            for f in s.fields:
                d |= model_deps(f.type)
            deps[s.name] = d - {s.name}
        for name, t in self.aliases.items():
            deps[name] = model_deps(t)
        done, order = set(), []
        remaining = sorted(deps)
        while remaining:
            progress = False
            for name in list(remaining):
                if deps[name] <= done:
                    order.append(name)
                    done.add(name)
                    remaining.remove(name)
                    progress = True
                    break
            if not progress:
                raise SystemExit(f"codegen: cyclic schemas: {remaining}")
        return order
