package phi

// The term lists below are common clinical vocabulary written for this
// project. Each entry is matched on word boundaries, case-insensitively
// unless it is marked exact (acronyms that are also English words).

// medications are generic drug names in common outpatient and hospital
// use. Names whose main use is a special category are in the lists below.
var medications = []string{
	"acetaminophen", "acyclovir", "albuterol", "alendronate", "allopurinol",
	"alprazolam", "amiodarone", "amlodipine", "amoxicillin", "anastrozole",
	"apixaban", "atenolol", "atorvastatin", "azithromycin", "baclofen",
	"benazepril", "budesonide", "bumetanide", "bupropion", "buspirone",
	"carvedilol", "cefazolin", "ceftriaxone", "cephalexin", "cetirizine",
	"ciprofloxacin", "citalopram", "clonazepam", "clonidine", "clopidogrel",
	"cyclobenzaprine", "dabigatran", "dexamethasone", "diazepam", "diclofenac",
	"digoxin", "diltiazem", "diphenhydramine", "donepezil", "doxycycline",
	"duloxetine", "empagliflozin", "enalapril", "enoxaparin", "escitalopram",
	"esomeprazole", "estradiol", "famotidine", "fenofibrate", "fentanyl",
	"finasteride", "fluconazole", "fluoxetine", "fluticasone", "furosemide",
	"gabapentin", "glimepiride", "glipizide", "glyburide", "haloperidol",
	"heparin", "hydralazine", "hydrochlorothiazide", "hydrocodone",
	"hydromorphone", "hydroxychloroquine", "ibuprofen", "insulin glargine",
	"insulin lispro", "ipratropium", "isosorbide", "ketorolac", "labetalol",
	"lamotrigine", "lansoprazole", "levetiracetam", "levofloxacin",
	"levothyroxine", "linezolid", "lisinopril", "loratadine", "lorazepam",
	"losartan", "meloxicam", "memantine", "metformin", "methotrexate",
	"methylprednisolone", "metoclopramide", "metoprolol", "metronidazole",
	"midazolam", "mirtazapine", "montelukast", "morphine", "mupirocin",
	"naproxen", "nifedipine", "nitrofurantoin", "nitroglycerin", "olanzapine",
	"omeprazole", "ondansetron", "oxybutynin", "oxycodone", "pantoprazole",
	"paroxetine", "penicillin", "phenytoin", "pioglitazone", "potassium chloride",
	"pravastatin", "prednisone", "pregabalin", "promethazine", "propranolol",
	"quetiapine", "ramipril", "ranolazine", "risperidone", "rivaroxaban",
	"rosuvastatin", "semaglutide", "sertraline", "simvastatin", "sitagliptin",
	"spironolactone", "sumatriptan", "tamsulosin", "tamoxifen", "tiotropium",
	"topiramate", "tramadol", "trazodone", "valacyclovir", "valsartan",
	"vancomycin", "venlafaxine", "verapamil", "warfarin", "zolpidem",
}

// labTerms are names of common laboratory tests and results.
var labTerms = []string{
	"a1c", "hemoglobin a1c", "hba1c", "alanine aminotransferase", "albumin",
	"alkaline phosphatase", "aspartate aminotransferase", "basic metabolic panel",
	"bilirubin", "blood culture", "blood urea nitrogen", "bnp", "cbc",
	"complete blood count", "comprehensive metabolic panel", "creatinine",
	"c-reactive protein", "d-dimer", "egfr", "ferritin", "fasting glucose",
	"hematocrit", "hemoglobin", "inr", "lipase", "lipid panel",
	"ldl cholesterol", "hdl cholesterol", "magnesium", "platelet count",
	"procalcitonin", "prothrombin time", "psa", "serum potassium",
	"serum sodium", "sed rate", "thyroid stimulating hormone", "tsh",
	"triglycerides", "troponin", "urinalysis", "urine culture",
	"white blood cell count", "wbc", "vitamin d level", "lactate",
	"arterial blood gas", "free t4", "pathology report", "biopsy results",
}

// sensitiveTerms maps each special category to its terms, including the
// drugs whose main use reveals the category.
var sensitiveTerms = map[Category][]string{
	CategoryMentalHealth: {
		"depression", "major depressive disorder", "bipolar", "bipolar disorder",
		"schizophrenia", "schizoaffective", "psychosis", "psychotic",
		"anxiety disorder", "generalized anxiety disorder", "panic disorder",
		"ptsd", "post-traumatic stress disorder", "obsessive-compulsive disorder",
		"ocd", "eating disorder", "anorexia nervosa", "bulimia",
		"suicidal ideation", "suicide attempt", "self-harm", "psychiatric",
		"psychiatrist", "psychotherapy", "involuntary hold",
		"borderline personality disorder", "adhd", "lithium", "clozapine",
		"aripiprazole", "lurasidone", "electroconvulsive therapy",
	},
	CategorySubstanceUse: {
		"substance use disorder", "substance abuse", "opioid use disorder",
		"alcohol use disorder", "alcohol dependence", "alcoholism",
		"opioid dependence", "addiction", "detox", "detoxification",
		"methadone", "buprenorphine", "suboxone", "naltrexone", "vivitrol",
		"heroin", "cocaine", "methamphetamine", "overdose",
		"medication-assisted treatment", "rehab", "rehabilitation program",
		"sobriety", "relapse", "urine drug screen", "opioid treatment program",
	},
	CategoryHIVSTI: {
		"hiv", "aids", "antiretroviral", "art regimen", "viral load",
		"cd4 count", "syphilis", "gonorrhea", "chlamydia", "herpes simplex",
		"genital herpes", "hpv", "human papillomavirus", "trichomoniasis",
		"sexually transmitted", "sti", "std", "prep", "pre-exposure prophylaxis",
		"tenofovir", "emtricitabine", "dolutegravir", "bictegravir",
	},
	CategoryGenetic: {
		"genetic testing", "genetic test", "genetic counseling", "brca1", "brca2",
		"brca", "genome sequencing", "exome sequencing", "whole exome",
		"carrier screening", "karyotype", "huntington's disease",
		"lynch syndrome", "pharmacogenomic", "germline mutation",
		"chromosomal microarray", "cystic fibrosis carrier",
	},
	CategoryReproductive: {
		"pregnancy", "pregnant", "abortion", "miscarriage",
		"termination of pregnancy", "ectopic pregnancy", "contraception",
		"contraceptive", "birth control", "ivf", "in vitro fertilization",
		"infertility", "prenatal", "mifepristone", "misoprostol",
		"intrauterine device", "emergency contraception", "fertility treatment",
	},
}

// exactTerms are terms that match only in the spelling given, because the
// lower-case spelling is an ordinary word ("hearing aids", "prep the
// room", "art class").
var exactTerms = map[string]bool{
	"aids": true, "prep": true, "art regimen": true, "sti": true,
	"std": true, "ocd": true, "adhd": true, "psa": true, "inr": true,
	"tsh": true, "cbc": true, "wbc": true, "bnp": true,
}

// exactSpelling returns the case-sensitive form of an exact term.
func exactSpelling(term string) string {
	switch term {
	case "prep":
		return "PrEP"
	case "art regimen":
		return "ART"
	}
	out := []byte(term)
	for i, c := range out {
		if 'a' <= c && c <= 'z' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}

var categoryExplanations = map[Category]string{
	CategoryMentalHealth: "mental health information needs extra care and, in psychotherapy notes, the patient's authorization",
	CategorySubstanceUse: "substance use disorder records are protected by 42 CFR Part 2 beyond HIPAA",
	CategoryHIVSTI:       "HIV and sexually transmitted infection status is protected by state laws beyond HIPAA",
	CategoryGenetic:      "genetic information is protected by GINA and state laws beyond HIPAA",
	CategoryReproductive: "reproductive health information is protected by many state laws beyond HIPAA",
}
