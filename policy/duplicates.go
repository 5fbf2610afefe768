package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// IssueDuplicateKey is a key that appears twice in one object. JSON
// decoders keep the last value, so an administrator who added a second
// "required" further down would silently override the first.
const IssueDuplicateKey IssueKind = "duplicate-key"

// jsonFrame is one open object or array while scanning tokens.
type jsonFrame struct {
	object    bool
	path      string
	keys      map[string]bool
	key       string // object: the key whose value comes next
	expectKey bool
	index     int // array: index of the next element
}

func (f *jsonFrame) childPath() string {
	if !f.object {
		return fmt.Sprintf("%s[%d]", f.path, f.index)
	}
	if f.path == "" {
		return f.key
	}
	return f.path + "." + f.key
}

// valueDone moves the frame past one value.
func (f *jsonFrame) valueDone() {
	if f.object {
		f.expectKey = true
	} else {
		f.index++
	}
}

// duplicateKeys returns an issue for each repeated object key in data,
// which must be syntactically valid JSON.
func duplicateKeys(data []byte) []Issue {
	var issues []Issue
	var stack []*jsonFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return issues
		}
		var top *jsonFrame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if top != nil && top.object && top.expectKey {
			key, _ := tok.(string)
			if d, ok := tok.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				if len(stack) > 0 {
					stack[len(stack)-1].valueDone()
				}
				continue
			}
			top.key, top.expectKey = key, false
			if top.keys[key] {
				issues = append(issues, Issue{Path: top.childPath(), Kind: IssueDuplicateKey,
					Message: fmt.Sprintf("key %q appears more than once; keep one", key)})
			}
			top.keys[key] = true
			continue
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			path := ""
			if top != nil {
				path = top.childPath()
			}
			object := tok == json.Delim('{')
			stack = append(stack, &jsonFrame{object: object, path: path, keys: map[string]bool{}, expectKey: object})
		case json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) > 0 {
				stack[len(stack)-1].valueDone()
			}
		default:
			if top != nil {
				top.valueDone()
			}
		}
	}
}
