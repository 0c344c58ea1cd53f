#!/usr/bin/env Rscript
# From a KDLens study to R data frames, and two of its numbers reproduced by hand: the R twin of
# examples/python/kdlens_example.py (see examples/r/README.md).
#
# Reads the study's export tables as JSON Lines (httr + jsonlite), then recomputes from the
# per-example predictions alone:
# - SC at the lowest temperature: classes whose normalized accuracy (class accuracy / overall
#   accuracy, per seed) differs between NDS and KD at T by a two-sided Welch t-test
#   (t.test's default), raw and after p.adjust's Holm and BH; compared with the `significance`
#   table, and every class's p-value with `class-comparison`;
# - DPD of every arm for the first sensitive attribute: per run the one-vs-rest demographic
#   parity difference averaged over classes, then the mean over seeds; compared with `fairness`.
# Exits 0 when every check agrees, 1 when one does not, 2 when the API cannot answer.
# Settings from the environment: KDLENS_API (default http://127.0.0.1:4000), KDLENS_TOKEN
# (`npx kdlens token create --role viewer --name notebook`), KDLENS_EXPERIMENT (default demo).
suppressPackageStartupMessages({
  library(httr)
  library(jsonlite)
})

api <- sub("/$", "", Sys.getenv("KDLENS_API", "http://127.0.0.1:4000"))
token <- Sys.getenv("KDLENS_TOKEN")
name <- Sys.getenv("KDLENS_EXPERIMENT", "demo")
tolerance <- 1e-9

read_table <- function(table) {
  url <- sprintf("%s/export/%s/%s.jsonl", api, URLencode(name, reserved = TRUE), table)
  auth <- if (nzchar(token)) add_headers(Authorization = paste("Bearer", token)) else config()
  response <- tryCatch(GET(url, auth), error = function(e) {
    message(sprintf("kdlens_example: cannot reach %s: %s", api, conditionMessage(e)))
    quit(status = 2)
  })
  text <- content(response, as = "text", encoding = "UTF-8")
  if (status_code(response) != 200) {
    problem <- tryCatch(fromJSON(text)$errors$message[1], error = function(e) substr(text, 1, 200))
    message(sprintf("kdlens_example: GET %s: HTTP %d: %s", url, status_code(response), problem))
    quit(status = 2)
  }
  # JSON Lines: null is NA, and a group called "NA" stays text.
  stream_in(textConnection(text), verbose = FALSE)
}

comparison <- read_table("class-comparison")
predictions <- read_table("predictions")
significance <- read_table("significance")
fairness <- read_table("fairness")

cat(sprintf("class-comparison of %s: %d rows\n", name, nrow(comparison)))
shown <- c("arm_a", "arm_b", "correction", "class_name", "accuracy_a", "accuracy_b", "p", "significant")
print(head(comparison[, shown]))
cat(sprintf("\npredictions of %s: %d rows\n", name, nrow(predictions)))
print(head(predictions))
if (nrow(predictions) == 0) {
  message(sprintf("kdlens_example: %s has no stored predictions yet", name))
  quit(status = 2)
}
num_classes <- max(comparison$class_index) + 1
classes <- seq_len(num_classes) - 1
failures <- 0

# Seeds x classes: each run's class accuracy divided by (or minus) its overall accuracy.
class_statistic <- function(runs, statistic) {
  correct <- runs$label == runs$pred
  t(sapply(split(seq_len(nrow(runs)), runs$seed), function(rows) {
    per_class <- tapply(correct[rows], factor(runs$label[rows], levels = classes), mean)
    overall <- mean(correct[rows])
    switch(statistic, normalized = per_class / overall, difference = per_class - overall, per_class)
  }))
}

# Welch's two-sided p-value, with scipy's (and the API's) rule for constant samples, where
# t.test stops: both constant and equal -> NA (not tested), both constant and different -> 0.
welch_p <- function(a, b) {
  if (anyNA(a) || anyNA(b)) return(NA_real_)
  if (var(a) + var(b) == 0) return(if (mean(a) == mean(b)) NA_real_ else 0)
  t.test(a, b, var.equal = FALSE)$p.value
}

sc <- significance[significance$comparison == "SC" & !is.na(significance$raw), ]
if (nrow(sc) == 0) {
  message("kdlens_example: no SC count to reproduce (NDS and KD need two seeds each)")
  quit(status = 2)
}
sc <- sc[order(sc$temperature), ][1, ]
temperature <- sc$temperature
a <- class_statistic(predictions[predictions$role == "student", ], sc$statistic)
kd <- predictions$role == "distilled" & predictions$temperature %in% temperature
b <- class_statistic(predictions[kd, ], sc$statistic)
p <- sapply(seq_len(num_classes), function(c) welch_p(a[, c], b[, c]))
# p.adjust leaves NA out of m, as the API does.
ours <- c(
  raw = sum(p <= sc$alpha, na.rm = TRUE),
  holm = sum(p.adjust(p, "holm") <= sc$alpha, na.rm = TRUE),
  bh = sum(p.adjust(p, "BH") <= sc$alpha, na.rm = TRUE),
  tested = sum(!is.na(p))
)
theirs <- c(raw = sc$raw, holm = sc$holm, bh = sc$bh, tested = sc$tested)
same <- all(ours == theirs)
failures <- failures + !same
counts <- function(x) paste(sprintf("%s=%d", names(x), as.integer(x)), collapse = " ")
cat(sprintf(
  "\nSC at T=%g (%s, alpha %g): R %s, API %s: %s\n",
  temperature, sc$statistic, sc$alpha, counts(ours), counts(theirs), if (same) "equal" else "DIFFERENT"
))

api_p <- comparison[comparison$correction == "none" & comparison$role_a == "student" &
  comparison$role_b == "distilled" & comparison$temperature_b == temperature, ]
api_p <- api_p$p[order(api_p$class_index)]
same_p <- length(api_p) == length(p) && all(is.na(p) == is.na(api_p)) &&
  all(abs(p - api_p) <= tolerance, na.rm = TRUE)
failures <- failures + !same_p
cat(sprintf(
  "p-values of %d classes, NDS vs KD T=%g: largest difference %.3g: %s\n",
  length(p), temperature, max(c(0, abs(p - api_p)), na.rm = TRUE), if (same_p) "equal" else "DIFFERENT"
))

# DPD of one run: for each class c as the positive label, max_g P(pred = c | g) - min_g of the
# same; the mean over classes (one-vs-rest), or class 1's value alone for two classes.
dpd <- function(run, attribute) {
  groups <- run[[paste0("attr_", attribute)]]
  selection <- prop.table(table(groups, factor(run$pred, levels = classes)), 1)
  per_class <- apply(selection, 2, function(x) max(x) - min(x))
  if (num_classes == 2) per_class[[2]] else mean(per_class)
}
arm_label <- function(role, temperature) {
  switch(role, teacher = "Teacher", student = "NDS", sprintf("KD T=%g", temperature))
}

attribute <- fairness$attribute[1]
if (is.null(attribute) || is.na(attribute)) {
  message("kdlens_example: the study has no sensitive attribute, so no DPD")
  quit(status = 2)
}
if (any(fairness$summary_stale)) {
  # Runs changed after the API last summarized the study: its DPD may lag the predictions.
  cat("note: the API's study summary is stale (runs changed since it was computed)\n")
}
arms <- unique(predictions[, c("role", "temperature")])
for (i in seq_len(nrow(arms))) {
  role <- arms$role[i]
  temperature <- arms$temperature[i]
  # %in% matches NA with NA: the teacher's and NDS's temperature.
  arm <- predictions[predictions$role == role & predictions$temperature %in% temperature, ]
  per_seed <- sapply(split(arm, arm$seed), dpd, attribute = attribute)
  label <- arm_label(role, temperature)
  row <- fairness[fairness$attribute == attribute & fairness$metric == "dpd" & fairness$arm == label, ]
  theirs_dpd <- if (nrow(row) == 1) row$mean else NA_real_
  ok <- isTRUE(abs(mean(per_seed) - theirs_dpd) <= tolerance && length(per_seed) == row$seeds[1])
  failures <- failures + !ok
  cat(sprintf(
    "DPD of %s by %s over %d seeds: R %.12f, API %.12f: %s\n",
    label, attribute, length(per_seed), mean(per_seed), theirs_dpd, if (ok) "equal" else "DIFFERENT"
  ))
}

cat(if (failures == 0) "\nall checks agree\n" else sprintf("\n%d check(s) disagree\n", failures))
quit(status = if (failures == 0) 0 else 1)
