package policy

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// kind is the JSON shape of one node of the settings tree.
type kind int

const (
	kindObject kind = iota
	kindBool
	kindInt
	kindString
	kindStringList
	kindObjectList
)

func (k kind) String() string {
	switch k {
	case kindObject:
		return "object"
	case kindBool:
		return "boolean"
	case kindInt:
		return "integer"
	case kindString:
		return "string"
	case kindStringList:
		return "array of strings"
	case kindObjectList:
		return "array of objects"
	}
	return "unknown"
}

// node is one setting or group of settings, built from the struct tags of
// Settings. Every node that is not an object is a leaf: the unit of
// layering and locking, so a list is replaced and locked as a whole.
type node struct {
	name   string // JSON name of the field
	path   string // dotted path from the settings root, "" for the root
	kind   kind
	doc    string
	min    *int64
	max    *int64
	enum   []string
	format string
	fields []*node // object fields in declaration order
	elem   *node   // element of an object list
}

func (n *node) isLeaf() bool { return n.kind != kindObject }

func (n *node) field(name string) *node {
	for _, f := range n.fields {
		if f.name == name {
			return f
		}
	}
	return nil
}

// settingsTree is the node tree of Settings, built once.
var settingsTree = sync.OnceValue(func() *node {
	return buildNode(reflect.TypeFor[Settings](), "", "", "")
})

// leafIndex maps every leaf path to its node. The fields of an object-list
// element carry paths relative to the element.
var leafIndex = sync.OnceValue(func() map[string]*node {
	index := map[string]*node{}
	walkNodes(settingsTree(), func(n *node) {
		if n.isLeaf() {
			index[n.path] = n
		}
	})
	return index
})

// nodePaths lists every node path, objects and leaves, in declaration
// order. These are the paths a managed document may lock.
var nodePaths = sync.OnceValue(func() []string {
	var paths []string
	walkNodes(settingsTree(), func(n *node) {
		if n.path != "" {
			paths = append(paths, n.path)
		}
	})
	return paths
})

// leafPaths lists the leaf paths in declaration order.
func leafPaths() []string {
	var paths []string
	walkNodes(settingsTree(), func(n *node) {
		if n.isLeaf() {
			paths = append(paths, n.path)
		}
	})
	return paths
}

// walkNodes calls fn for n and every node below it, parents first. It does
// not descend into the element of an object list, because that list is a
// leaf.
func walkNodes(n *node, fn func(*node)) {
	fn(n)
	for _, f := range n.fields {
		walkNodes(f, fn)
	}
}

// nodeAt returns the node at a dotted path, or nil.
func nodeAt(path string) *node {
	n := settingsTree()
	if path == "" {
		return n
	}
	for _, part := range strings.Split(path, ".") {
		if n.kind != kindObject {
			return nil
		}
		n = n.field(part)
		if n == nil {
			return nil
		}
	}
	return n
}

func buildNode(t reflect.Type, name, path string, tag reflect.StructTag) *node {
	n := &node{
		name:   name,
		path:   path,
		doc:    tag.Get("doc"),
		format: tag.Get("format"),
	}
	if e := tag.Get("enum"); e != "" {
		n.enum = strings.Split(e, "|")
	}
	n.min = parseBound(tag.Get("min"))
	n.max = parseBound(tag.Get("max"))

	switch t.Kind() {
	case reflect.Bool:
		n.kind = kindBool
	case reflect.Int, reflect.Int64:
		n.kind = kindInt
	case reflect.String:
		n.kind = kindString
	case reflect.Slice:
		switch t.Elem().Kind() {
		case reflect.String:
			n.kind = kindStringList
		case reflect.Struct:
			n.kind = kindObjectList
			n.elem = buildNode(t.Elem(), "", "", "")
		default:
			panic("policy: unsupported list element " + t.Elem().String())
		}
	case reflect.Struct:
		n.kind = kindObject
		for i := range t.NumField() {
			f := t.Field(i)
			jsonName, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			childPath := jsonName
			if path != "" {
				childPath = path + "." + jsonName
			}
			n.fields = append(n.fields, buildNode(f.Type, jsonName, childPath, f.Tag))
		}
	default:
		panic("policy: unsupported setting type " + t.String())
	}
	return n
}

func parseBound(s string) *int64 {
	if s == "" {
		return nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic("policy: invalid bound " + s)
	}
	return &v
}
