# SPDX-License-Identifier: Apache-2.0
"""Every special case of the generator, as data: where lakeFS's spec (or C++) needs something other than the
generic rules of codegen/README.md. Add a new one here, with a comment saying why, rather than inline in the
emitting code.
"""

# Identifiers that would be C++ keywords, renamed. A keyword not listed becomes "<word>_value".
KEYWORD_RENAMES = {
    "class": "class_name",  # StatsEvent.class: the name of a class of events
    "default": "default_value",  # the fallback spelled out, as in the table of codegen/README.md
    "delete": "delete_value",  # as default
    "new": "new_value",  # as default
    "operator": "operator_name",  # an operator is named, not valued
    "private": "is_private",  # a flag reads as a question
    "public": "is_public",  # as private
    "template": "template_name",  # templates are referred to by name
    "union": "union_value",  # as default
    "import": "imports",  # the "import" tag: api.imports, a plural like the other tag members
}

# Words the generic camelCase splitter cuts wrongly, replaced before snake_case conversion (bad, good).
WORD_FIXES = [
    ("LakeFS", "Lakefs"),  # one word: getLakeFSVersion -> get_lakefs_version, not get_lake_fs_version
]

# (schema, property) pairs the spec marks required but the pinned server leaves
# out of some responses; they are generated as optional so those responses
# decode. Each entry names the response that omits it.
SERVER_OMITTED_REQUIRED = {
    # listPullRequests leaves out every description on purpose (pkg/api/controller.go:
    # reading it needs the permission to read the single pull request).
    ("PullRequest", "description"),
}

# Operations whose method is idempotent (PUT) but whose effect is not: sent at most once
# (http::Request::not_idempotent), as a POST would be. The value is the comment the generated code carries.
NOT_IDEMPOTENT_OPERATIONS = {
    "mergePullRequest": "repeating it would merge again or fail on the merged state",
}

# Asynchronous twins that cannot be called "<method>_async" because an operation of the spec already has that name.
ASYNC_TWIN_RENAMES = {
    # prepareGarbageCollectionCommitsAsync is lakeFS's own asynchronous form (it starts a task on the server).
    "prepareGarbageCollectionCommits": "prepare_garbage_collection_commits_twin_async",
}
