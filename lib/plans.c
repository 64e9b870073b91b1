#include "plans.h"
#include <string.h>

const char *const plans_names[PLANS_COUNT] = { "base", "pro", "insights", "global" };

static const struct {
	const char *name, *kind, *label, *desc;
	unsigned char allowed[PLANS_COUNT];
} features[PF__COUNT] = {
#define PLAN_FEATURE(name, kind, label, desc, base, pro, insights, global) \
	{ #name, #kind, label, desc, { base, pro, insights, global } },
#include "plans.def"
#undef PLAN_FEATURE
};

static int
plan_index(const char *plan)
{
	for (int i = 0; plan && i < PLANS_COUNT; i++)
		if (strcmp(plans_names[i], plan) == 0)
			return i;
	return -1;
}

int
plans_allows(const char *plan, enum plan_feature f)
{
	int i = plan_index(plan);
	return i >= 0 && f < PF__COUNT && features[f].allowed[i];
}

const char *plans_feature_name(enum plan_feature f) { return features[f].name; }
const char *plans_feature_label(enum plan_feature f) { return features[f].label; }

int
plans_feature_is_modulation(enum plan_feature f)
{
	return strcmp(features[f].kind, "modulation") == 0;
}

const char *
plans_modulation_key(enum plan_feature f)
{
	return plans_feature_is_modulation(f) ? features[f].name + strlen("mod_") : NULL;
}

const char *
plans_minimum(enum plan_feature f)
{
	for (int i = 0; i < PLANS_COUNT; i++)
		if (features[f].allowed[i])
			return plans_names[i];
	return NULL;
}

void
plans_write_doc(FILE *out)
{
	fprintf(out, "| Feature | Kind | What it does |");
	for (int i = 0; i < PLANS_COUNT; i++)
		fprintf(out, " `%s` |", plans_names[i]);
	fprintf(out, "\n|---|---|---|");
	for (int i = 0; i < PLANS_COUNT; i++)
		fprintf(out, ":-:|");
	fprintf(out, "\n");
	for (int f = 0; f < PF__COUNT; f++) {
		fprintf(out, "| %s (`%s`) | %s | %s |", features[f].label, features[f].name,
		    features[f].kind, features[f].desc);
		for (int i = 0; i < PLANS_COUNT; i++)
			fprintf(out, " %s |", features[f].allowed[i] ? "yes" : "—");
		fprintf(out, "\n");
	}
}
