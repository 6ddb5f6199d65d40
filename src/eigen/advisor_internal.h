/* advisor_internal.h: private pieces of the embedding-dimension advisor
 * shared by advisor.c (the solves) and advisor_rule.c (checks, spectrum,
 * recommendation). Not installed; not part of the public API. */
#ifndef SPARTAN_ADVISOR_INTERNAL_H
#define SPARTAN_ADVISOR_INTERNAL_H

#include "eigen/eigen_internal.h"
#include "spartan/advisor.h"

/* Nested sizes for candidate k on an n x n operator; returns the count (0: none fits). */
int sp_embdim_sizes(const sp_embdim_options *o, int k, int64_t n, int *sizes);
/* ||C||_F from the options or the operator's matrix (checked beforehand). */
double sp_embdim_fro_norm(const sp_operator *op, const sp_embdim_options *o);
/* Captured share and gap of every candidate; one deflated solve for l_{K+1}. */
int sp_embdim_spectrum(const sp_operator *op, const sp_embdim_options *o, sp_embdim_result *res);
/* Pick the recommendation and write the reason; returns 1 when the rule is met. */
int sp_embdim_recommend(const sp_embdim_options *o, sp_embdim_result *res);

#endif
