// SPDX-License-Identifier: Apache-2.0
//go:build tools

// Package tools records the command this module builds, so `go mod tidy`
// keeps its dependencies.
package tools

import (
	_ "github.com/versity/versitygw/cmd/versitygw"
)
