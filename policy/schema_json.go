package policy

import (
	"bytes"
	"encoding/json"
)

// ordered is a JSON object that keeps its keys in insertion order, so the
// generated schema reads in the order of the Settings type.
type ordered []member

type member struct {
	key   string
	value any
}

func (o ordered) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(m.key)
		b.Write(key)
		b.WriteByte(':')
		value, err := json.Marshal(m.value)
		if err != nil {
			return nil, err
		}
		b.Write(value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// GenerateSchema returns the JSON Schema (draft 2020-12) of a policy
// document, derived from the Settings type and its tags. The repository
// publishes it as policy/schema.json.
func GenerateSchema() []byte {
	defaults := defaultValues()
	settings := schemaOf(settingsTree(), defaults)
	root := ordered{
		{"$schema", "https://json-schema.org/draft/2020-12/schema"},
		{"$id", "urn:securemail:policy:1"},
		{"title", "SecureMail policy"},
		{"description", "A managed configuration document. settings holds the values; locked lists setting paths (or groups of them) that the user cannot change. Unlocked values are defaults the user may change."},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", ordered{
			{"schemaVersion", ordered{{"description", "Version of this document format."}, {"const", SchemaVersion}}},
			{"settings", settings},
			{"locked", ordered{
				{"description", "Setting paths the user cannot change. A group path such as encryption locks every setting below it. Honoured only in managed sources."},
				{"type", "array"},
				{"uniqueItems", true},
				{"items", ordered{{"enum", nodePaths()}}},
			}},
		}},
	}
	out, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		panic("policy: schema does not marshal: " + err.Error())
	}
	return append(out, '\n')
}

// schemaOf returns the schema of one node. defaults holds leaf defaults by
// path and is nil inside list elements.
func schemaOf(n *node, defaults map[string]json.RawMessage) ordered {
	var s ordered
	if n.doc != "" {
		s = append(s, member{"description", n.doc})
	}
	switch n.kind {
	case kindObject:
		props := ordered{}
		for _, f := range n.fields {
			props = append(props, member{f.name, schemaOf(f, defaults)})
		}
		s = append(s, member{"type", "object"}, member{"additionalProperties", false}, member{"properties", props})
		return s
	case kindBool:
		s = append(s, member{"type", "boolean"})
	case kindInt:
		s = append(s, member{"type", "integer"})
		if n.min != nil {
			s = append(s, member{"minimum", *n.min})
		}
		if n.max != nil {
			s = append(s, member{"maximum", *n.max})
		}
	case kindString:
		s = append(s, stringSchema(n)...)
	case kindStringList:
		s = append(s, member{"type", "array"}, member{"items", stringSchema(n)})
	case kindObjectList:
		s = append(s, member{"type", "array"}, member{"items", schemaOf(n.elem, nil)})
	}
	if raw, ok := defaults[n.path]; ok && n.path != "" {
		s = append(s, member{"default", raw})
	}
	return s
}

func stringSchema(n *node) ordered {
	s := ordered{{"type", "string"}}
	if len(n.enum) > 0 {
		s = append(s, member{"enum", n.enum})
	}
	if n.format != "" {
		s = append(s, member{"format", n.format})
	}
	return s
}
