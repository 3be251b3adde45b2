// The benchmark models, in TensorFlow.js. keras_bench.py builds the same ones in Keras.

/** Small MNIST CNN: Conv(32)→MaxPool→Conv(64)→MaxPool→Flatten→Dropout→Dense(10). */
exports.mnistCnn = (tf) => {
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dropout({ rate: 0.5 }),
    tf.layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
};

/** Chapter-09 DCGAN at C = 64 (the chapter uses 256): one step trains D, then G. */
exports.DCGAN_C = 64;
exports.dcgan = (tf, { batch = 128, C = exports.DCGAN_C, noise = 100 } = {}) => {
  const g = tf.sequential({ layers: [
    tf.layers.dense({ inputShape: [noise], units: 7 * 7 * C, useBias: false }),
    tf.layers.batchNormalization(), tf.layers.leakyReLU(),
    tf.layers.reshape({ targetShape: [7, 7, C] }),
    tf.layers.conv2dTranspose({ filters: C / 2, kernelSize: 5, strides: 1, padding: 'same', useBias: false }),
    tf.layers.batchNormalization(), tf.layers.leakyReLU(),
    tf.layers.conv2dTranspose({ filters: C / 4, kernelSize: 5, strides: 2, padding: 'same', useBias: false }),
    tf.layers.batchNormalization(), tf.layers.leakyReLU(),
    tf.layers.conv2dTranspose({ filters: 1, kernelSize: 5, strides: 2, padding: 'same', useBias: false, activation: 'tanh' }),
  ] });
  const d = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: C / 4, kernelSize: 5, strides: 2, padding: 'same' }),
    tf.layers.leakyReLU(), tf.layers.dropout({ rate: 0.3 }),
    tf.layers.conv2d({ filters: C / 2, kernelSize: 5, strides: 2, padding: 'same' }),
    tf.layers.leakyReLU(), tf.layers.dropout({ rate: 0.3 }),
    tf.layers.flatten(), tf.layers.dense({ units: 1 }),
  ] });
  const gOpt = tf.train.adam(1e-4), dOpt = tf.train.adam(1e-4);
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1);
  const bce = (labels, logits) => tf.losses.sigmoidCrossEntropy(labels, logits);
  const vars = (m) => m.trainableWeights.map((w) => w.val);
  return {
    step() {
      tf.tidy(() => {
        const z = tf.randomNormal([batch, noise]);
        dOpt.minimize(() => {
          const fake = g.apply(z, { training: true });
          const r = d.apply(real, { training: true }), f = d.apply(fake, { training: true });
          return tf.add(bce(tf.onesLike(r), r), bce(tf.zerosLike(f), f));
        }, false, vars(d));
        gOpt.minimize(() => {
          const f = d.apply(g.apply(z, { training: true }), { training: true });
          return bce(tf.onesLike(f), f);
        }, false, vars(g));
      });
    },
  };
};
