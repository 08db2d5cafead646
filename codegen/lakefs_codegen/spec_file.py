# SPDX-License-Identifier: Apache-2.0
"""Reading the spec: the lakeFS version pinned by tools/lakefs-server/go.mod, where that version's swagger.yml is
in the Go module cache, and loading it. The spec is never copied into the repository.
"""

import os
import re
import subprocess

import yaml


def lakefs_version(root):
    """The version of the `github.com/treeverse/lakefs` requirement in ROOT/tools/lakefs-server/go.mod."""
    with open(os.path.join(root, "tools/lakefs-server/go.mod"), encoding="utf-8") as f:
        for line in f:
            m = re.match(r"^\s*(?:require\s+)?github\.com/treeverse/lakefs\s+v(\S+)", line)
            if m:
                return m.group(1)
    raise SystemExit("codegen: no github.com/treeverse/lakefs requirement in tools/lakefs-server/go.mod")


def module_cache():
    """GOMODCACHE, else `go env GOMODCACHE`, else the first entry of GOPATH (or ~/go) + pkg/mod."""
    if os.environ.get("GOMODCACHE"):
        return os.environ["GOMODCACHE"]
    try:
        out = subprocess.run(["go", "env", "GOMODCACHE"], check=True, capture_output=True, text=True)
        if out.stdout.strip():
            return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    gopath = os.environ.get("GOPATH") or os.path.join(os.path.expanduser("~"), "go")
    return os.path.join(gopath.split(os.pathsep)[0], "pkg", "mod")


def default_spec_path(version):
    """Where the Go module cache holds swagger.yml of lakeFS `version`."""
    return os.path.join(module_cache(), f"github.com/treeverse/lakefs@v{version}", "api", "swagger.yml")


def load_spec(spec_file):
    """The parsed spec document."""
    with open(spec_file, encoding="utf-8") as f:
        return yaml.safe_load(f)
