import { Document, isScalar, visit } from 'yaml';
import type { ExperimentSpec } from './experiment-spec.schema.ts';

/** A parsed spec as YAML, every default written out: what a run actually used. */
export function specToYaml(spec: ExperimentSpec): string {
  const doc = new Document(spec);
  // Lists of plain values (temperatures, seeds, milestones) on one line, as the presets write them.
  visit(doc, {
    Seq(_, node) {
      if (node.items.every((item) => isScalar(item))) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}
