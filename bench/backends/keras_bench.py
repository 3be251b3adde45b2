"""The peer: the same workloads in Keras on Python TensorFlow (CPU), plus numpy's matmul.

Run by run.js with bench/backends/.venv-tf/bin/python; prints one JSON line.
"""
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import layers  # noqa: E402


def best_of(fn, reps):
    fn()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main():
    out = {"backend": "keras", "tensorflow": tf.__version__, "keras": keras.__version__, "numpy": np.__version__, "results": {}}
    a = np.random.randn(1024, 1024).astype(np.float32)
    b = np.random.randn(1024, 1024).astype(np.float32)
    s = best_of(lambda: a @ b, 10)
    out["results"]["numpyMatmul1024"] = {"seconds": s, "gflops": 2 * 1024**3 / s / 1e9}
    ta, tb = tf.constant(a), tf.constant(b)
    s = best_of(lambda: tf.matmul(ta, tb).numpy(), 10)
    out["results"]["matmul1024"] = {"seconds": s, "gflops": 2 * 1024**3 / s / 1e9}

    B = 32
    x = tf.random.normal([B, 28, 28, 32])
    w = tf.random.normal([3, 3, 32, 64])
    flops = 2 * B * 28 * 28 * 9 * 32 * 64
    fwd = best_of(lambda: tf.nn.conv2d(x, w, 1, "SAME").numpy(), 5)

    def both():
        with tf.GradientTape() as tape:
            tape.watch([x, w])
            y = tf.reduce_sum(tf.nn.conv2d(x, w, 1, "SAME"))
        return [g.numpy() for g in tape.gradient(y, [x, w])]

    fb = best_of(both, 5)
    out["results"]["conv2d"] = {"batch": B, "forwardGflops": flops / fwd / 1e9, "forwardBackwardGflops": 3 * flops / fb / 1e9}

    model = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(2),
        layers.Flatten(), layers.Dropout(0.5), layers.Dense(10, activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    n_batches = 40
    xs = np.random.randn(128 * n_batches, 28, 28, 1).astype(np.float32)
    ys = keras.utils.to_categorical(np.random.randint(0, 10, 128 * n_batches), 10)
    model.fit(xs[:256], ys[:256], batch_size=128, epochs=1, verbose=0)
    t0 = time.perf_counter()
    model.fit(xs, ys, batch_size=128, epochs=1, verbose=0)
    per_image = (time.perf_counter() - t0) / len(xs)
    out["results"]["mnistCnnEpoch"] = {"seconds": per_image * 60000, "sampledImages": len(xs)}

    C, noise, batch = 64, 100, 128
    g = keras.Sequential([
        keras.Input((noise,)),
        layers.Dense(7 * 7 * C, use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Reshape((7, 7, C)),
        layers.Conv2DTranspose(C // 2, 5, strides=1, padding="same", use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(C // 4, 5, strides=2, padding="same", use_bias=False), layers.BatchNormalization(), layers.LeakyReLU(),
        layers.Conv2DTranspose(1, 5, strides=2, padding="same", use_bias=False, activation="tanh"),
    ])
    d = keras.Sequential([
        keras.Input((28, 28, 1)),
        layers.Conv2D(C // 4, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Conv2D(C // 2, 5, strides=2, padding="same"), layers.LeakyReLU(), layers.Dropout(0.3),
        layers.Flatten(), layers.Dense(1),
    ])
    bce = keras.losses.BinaryCrossentropy(from_logits=True)
    g_opt, d_opt = keras.optimizers.Adam(1e-4), keras.optimizers.Adam(1e-4)
    real = tf.random.uniform([batch, 28, 28, 1], -1, 1)

    def train_step():
        z = tf.random.normal([batch, noise])
        with tf.GradientTape() as dt:
            fake = g(z, training=True)
            r, f = d(real, training=True), d(fake, training=True)
            d_loss = bce(tf.ones_like(r), r) + bce(tf.zeros_like(f), f)
        d_opt.apply_gradients(zip(dt.gradient(d_loss, d.trainable_variables), d.trainable_variables))
        with tf.GradientTape() as gt:
            f = d(g(z, training=True), training=True)
            g_loss = bce(tf.ones_like(f), f)
        g_opt.apply_gradients(zip(gt.gradient(g_loss, g.trainable_variables), g.trainable_variables))
        return g_loss

    step = tf.function(train_step)  # what chapter 09's Keras version does
    step().numpy()
    t0 = time.perf_counter()
    for _ in range(100):
        loss = step()
    loss.numpy()
    out["results"]["dcgan100"] = {"seconds": time.perf_counter() - t0, "sampledSteps": 100, "sampledBatch": batch}

    # The same step eagerly, op by op, as TensorFlow.js runs it: how much of Keras's lead is the graph.
    for _ in range(2):
        train_step().numpy()
    eager_steps = 20
    t0 = time.perf_counter()
    for _ in range(eager_steps):
        loss = train_step()
    loss.numpy()
    out["results"]["dcgan100Eager"] = {"seconds": (time.perf_counter() - t0) * 100 / eager_steps, "sampledSteps": eager_steps, "sampledBatch": batch}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
