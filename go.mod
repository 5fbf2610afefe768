module securemail

go 1.26.0

require (
	github.com/santhosh-tekuri/jsonschema/v6 v6.0.3
	golang.org/x/sys v0.50.0
	howett.net/plist v1.0.1
)

require golang.org/x/text v0.44.0 // indirect
