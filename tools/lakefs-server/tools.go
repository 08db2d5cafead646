// SPDX-License-Identifier: Apache-2.0
//go:build tools

// Package tools records the commands this module builds, so `go mod tidy`
// keeps their dependencies.
package tools

import (
	_ "github.com/treeverse/lakefs/cmd/lakectl"
	_ "github.com/treeverse/lakefs/cmd/lakefs"
)
