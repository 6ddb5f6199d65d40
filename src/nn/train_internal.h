/* train_internal.h: helpers shared by the training files of src/nn (history
 * text in checkpoints, optimizer configuration strings, MLP classifier
 * steps). Not installed; no stable API. */
#ifndef SPARTAN_TRAIN_INTERNAL_H
#define SPARTAN_TRAIN_INTERNAL_H

#include "spartan/train.h"

/* History as text (one CSV line per epoch, no header) and back. *out malloc'ed. */
int sp_history_to_text(const sp_train_history *h, char **out);
int sp_history_from_text(const char *text, sp_train_history *h);
/* Optimizer configuration as "kind lr momentum nesterov beta1 beta2 eps beta l1 l2 acc". */
void sp_optim_config_to_text(const sp_optim_config *c, char *buf, size_t cap);
int sp_optim_config_from_text(const char *text, sp_optim_config *c);

/* One training step of the classifier on raw rows xraw (B, features), labels y (B). */
int sp_mlp_classifier_step(sp_mlp_classifier *c, int B, const float *xraw, const int *y,
                           double *loss, double *hits);
/* Logits z (B, classes) of raw rows, B <= max_batch. */
int sp_mlp_classifier_logits(sp_mlp_classifier *c, int B, const float *xraw, float *z);

#endif
