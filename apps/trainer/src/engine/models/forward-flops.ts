/**
 * Multiply–accumulates of one image's forward pass, counted from layer shapes.
 *
 * Only Conv2D and Dense are counted (the convention of the usual "MACs" tables,
 * e.g. ResNet-20 ≈ 40.55M): batch norm, activations, pooling and additions are
 * O(activations), not O(activations × kernel), and vanish next to them.
 * Used by the benchmark to turn images/s into achieved GFLOP/s.
 */
import type * as tf from '@tensorflow/tfjs';

export interface ForwardMacs {
  /** Per image, summed over all counted layers. */
  total: number;
  /** Per counted layer, in model order. */
  layers: { name: string; className: string; macs: number }[];
}

function product(dims: readonly (number | null)[], what: string): number {
  let p = 1;
  for (const d of dims) {
    if (d === null) throw new Error(`forwardMacs: ${what} has an unknown dimension`);
    p *= d;
  }
  return p;
}

/** The output shapes of every call of the layer (a shared layer runs once per call). */
function outputShapesOf(layer: tf.layers.Layer): (number | null)[][] {
  return layer.inboundNodes.map((node) => {
    const shapes = node.outputShapes;
    const first = Array.isArray(shapes[0]) ? shapes[0] : shapes;
    return first as (number | null)[];
  });
}

function kernelShape(layer: tf.layers.Layer): readonly number[] {
  const kernel = layer.weights.find((w) => /kernel/.test(w.originalName));
  if (kernel === undefined) throw new Error(`forwardMacs: layer ${layer.name} has no kernel`);
  return kernel.shape as number[];
}

/**
 * Conv2D: out_h·out_w · k_h·k_w·c_in·c_out (kernel [k_h, k_w, c_in, c_out]);
 * Dense: (positions) · in·out (kernel [in, out]; positions = product of the
 * middle dimensions for inputs of rank > 2). Nested models are descended into.
 */
export function forwardMacs(model: tf.LayersModel): ForwardMacs {
  const layers: ForwardMacs['layers'] = [];
  const visit = (container: tf.LayersModel) => {
    for (const layer of container.layers) {
      const className = layer.getClassName();
      if ('layers' in layer && Array.isArray((layer as tf.LayersModel).layers)) {
        visit(layer as tf.LayersModel);
        continue;
      }
      if (className !== 'Conv2D' && className !== 'Dense') continue;
      const perOutputPosition = product(kernelShape(layer), `${layer.name} kernel`);
      let macs = 0;
      for (const out of outputShapesOf(layer)) {
        // Drop the batch dimension and the channel/unit dimension (already in the kernel).
        macs += product(out.slice(1, -1), `${layer.name} output`) * perOutputPosition;
      }
      layers.push({ name: layer.name, className, macs });
    }
  };
  visit(model);
  return { total: layers.reduce((s, l) => s + l.macs, 0), layers };
}

/**
 * Training FLOPs per image ≈ 3 × forward: the backward pass costs two
 * products of the forward's size (input gradient and weight gradient); one
 * MAC = 2 FLOPs.
 */
export function trainingFlopsPerImage(model: tf.LayersModel): number {
  return 3 * 2 * forwardMacs(model).total;
}
