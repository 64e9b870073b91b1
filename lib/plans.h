/* Plans gate features (plans.def); roles gate authority.  Forms show a
 * gated control only when the tenant's plan allows it, and every write
 * checks the same table again on the server. */
#ifndef VOXLINE_PLANS_H
#define VOXLINE_PLANS_H
#include <stdio.h>

enum plan_feature {
#define PLAN_FEATURE(name, kind, label, desc, base, pro, insights, global) PF_##name,
#include "plans.def"
#undef PLAN_FEATURE
	PF__COUNT
};

/* The plans, cheapest first. */
extern const char *const plans_names[];
#define PLANS_COUNT 4
#define PLANS_CHOICES "base|pro|insights|global"

/* 1 when plan allows feature f; 0 for an unknown plan. */
int plans_allows(const char *plan, enum plan_feature f);
const char *plans_feature_name(enum plan_feature f);   /* e.g. "mod_survey" */
const char *plans_feature_label(enum plan_feature f);
int plans_feature_is_modulation(enum plan_feature f);
/* The modulation's key in agents.modulations ("survey"); NULL for settings. */
const char *plans_modulation_key(enum plan_feature f);
/* The cheapest plan that allows f. */
const char *plans_minimum(enum plan_feature f);
/* Markdown table for docs/plans.md. */
void plans_write_doc(FILE *out);

#endif
