import { networkDiagram } from './index';

describe('networkDiagram', () => {
  it('draws one edge per weight, labelled with its value, and one node per unit', () => {
    const fig = networkDiagram([[[0.5, 0.4, 0.6], [0.3, 0.5, 0.7]], [0.5, 0.6, 0.8]], {
      nodeLabels: [['x₁', 'x₂'], ['h₁', 'h₂', 'h₃'], ['ŷ']], biases: [[0.1, 0.2, 0.3], [0.3]],
    });
    const edges = fig.data.filter((t) => t.mode === 'lines');
    expect(edges).toHaveLength(6 + 3);
    const texts = (fig.layout.annotations ?? []).map((a) => a.text);
    expect(texts).toEqual(expect.arrayContaining(['0.7', '0.8', 'x₂', 'h₃', 'ŷ', 'b=0.3']));
    // the biggest weight is the thickest edge; negative weights are blue
    expect(Math.max(...edges.map((e) => e.line!.width as number))).toBeCloseTo(5.5);
    expect(networkDiagram([[[-1]]]).data[0].line!.color).toBe('#1f77b4');
    expect(networkDiagram([[[0]]]).data[0].line!.color).toBe('#bbbbbb');
    expect(fig.toSvg()).toContain('<svg');
  });

  it('says which matrix does not fit its layer', () => {
    expect(() => networkDiagram([[[1, 2]], [[1], [2], [3]]])).toThrow(/weight matrix 1 has 3 rows but layer 1 has 2 nodes/);
  });
});
