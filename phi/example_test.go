package phi_test

import (
	"fmt"

	"securemail/phi"
)

func ExampleScanner_Scan() {
	scanner, err := phi.NewScanner(phi.Config{})
	if err != nil {
		panic(err)
	}
	report := scanner.Scan(phi.Document{
		Subject: "Follow-up",
		Body:    "Patient: Aldrena Quillfeather, SSN 524-71-3309, started sertraline.",
	})
	for _, f := range report.Findings {
		fmt.Printf("%s %d-%d %s\n", f.Field, f.Start, f.End, f.Excerpt)
	}
	fmt.Println(report.Level, report.Action)
	// Output:
	// body 9-29 Name A****** Q***********
	// body 35-46 SSN ***-**-3309
	// body 56-66 Medication sertraline
	// high justify
}
