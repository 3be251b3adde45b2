import { circles, twoMoons } from './index';

describe('toy 2-D sets', () => {
  it('twoMoons: balanced, shaped [n, 2] and [n, 1], the same for the same seed', () => {
    const a = twoMoons({ n: 101, noise: 0.1, seed: 3 });
    expect(a.xs.shape).toEqual([101, 2]);
    expect(a.ys.shape).toEqual([101, 1]);
    expect(a.labels.filter((c) => c === 0).length).toBe(51);
    expect(Array.from(a.ys.dataSync())).toEqual(a.labels);
    expect(Array.from(a.xs.dataSync())).toEqual(a.points.flat().map(Math.fround));
    const b = twoMoons({ n: 101, noise: 0.1, seed: 3 });
    expect(b.points).toEqual(a.points);
    expect(twoMoons({ n: 101, noise: 0.1, seed: 4 }).points).not.toEqual(a.points);
  });

  it('twoMoons without noise lies on the two arcs', () => {
    const { points, labels } = twoMoons({ n: 40, noise: 0 });
    points.forEach(([x, y], i) => {
      const r = labels[i] === 0 ? Math.hypot(x, y) : Math.hypot(x - 1, y - 0.5);
      expect(r).toBeCloseTo(1, 9);
      expect(labels[i] === 0 ? y >= -1e-12 : y <= 0.5 + 1e-12).toBe(true);
    });
  });

  it('circles without noise: class 0 at radius 1, class 1 at radius factor', () => {
    const { points, labels } = circles({ n: 30, noise: 0, factor: 0.3 });
    points.forEach(([x, y], i) => expect(Math.hypot(x, y)).toBeCloseTo(labels[i] === 0 ? 1 : 0.3, 9));
  });

  it('rejects bad arguments by name', () => {
    expect(() => twoMoons({ n: 1 })).toThrow(/twoMoons: n/);
    expect(() => circles({ n: 10, factor: 1.5 })).toThrow(/factor/);
  });
});
