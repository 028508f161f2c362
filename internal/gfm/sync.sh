#!/bin/sh
# sync.sh: copies goldmark's table, strikethrough, task list and definition
# list extensions (MIT, see LICENSE) from the goldmark in go.mod, only the
# package clause changed. Run by `go generate ./internal/gfm`.
set -eu
src=$(go list -m -f '{{.Dir}}' github.com/yuin/goldmark)
for f in table strikethrough tasklist definition_list; do
	sed 's/^package extension$/package gfm/' "$src/extension/$f.go" >"$f.go"
done
cp "$src/LICENSE" LICENSE
chmod 644 LICENSE ./*.go
