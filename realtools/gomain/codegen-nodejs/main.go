// Command codegen-nodejs writes the Node.js SDK of one Pulumi package schema, for the Node language host
// of realtools (realtools/langhost_nodejs.py), whose GeneratePackage hands the engine's request over here.
//
// It reads one JSON request on stdin:
//
//	{"schema": {...}, "directory": "...", "loaderTarget": "...", "local": true,
//	 "localDependencies": {"name": "path"}, "extraFiles": {"path": "<base64>"}}
//
// binds the schema (resolving the packages it references through the engine's schema loader), generates the
// SDK with Pulumi's own Node.js code generator and writes each file under directory. Binding diagnostics
// go to stderr and end the command with status 1.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// The tool name the generated files say they were written by, as the upstream Node.js host's.
const generator = "pulumi-language-nodejs"

type request struct {
	Schema            schema.PackageSpec `json:"schema"`
	Directory         string             `json:"directory"`
	LoaderTarget      string             `json:"loaderTarget"`
	Local             bool               `json:"local"`
	LocalDependencies map[string]string  `json:"localDependencies"`
	ExtraFiles        map[string][]byte  `json:"extraFiles"` // base64 in JSON
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "codegen-nodejs:", err)
		os.Exit(1)
	}
}

func run() error {
	var req request
	if err := json.NewDecoder(os.Stdin).Decode(&req); err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	if req.Directory == "" || req.LoaderTarget == "" {
		return fmt.Errorf("the request needs a directory and a loaderTarget")
	}
	client, err := schema.NewLoaderClient(req.LoaderTarget)
	if err != nil {
		return fmt.Errorf("connecting to the schema loader: %w", err)
	}
	defer client.Close()
	loader := schema.NewCachedLoader(client)

	pkg, diags, err := schema.BindSpec(req.Schema, loader, schema.ValidationOptions{AllowDanglingReferences: true})
	if err != nil {
		return fmt.Errorf("binding the schema: %w", err)
	}
	if diags.HasErrors() {
		return fmt.Errorf("binding the schema: %s", diags.Error())
	}

	files, err := nodejs.GeneratePackage(generator, pkg, req.ExtraFiles, req.LocalDependencies, req.Local, loader)
	if err != nil {
		return fmt.Errorf("generating the SDK: %w", err)
	}
	for name, content := range files {
		path := filepath.Join(req.Directory, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
