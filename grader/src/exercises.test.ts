import { describeExercises, hiddenLines, titleOf } from './exercises';
import { releaseNotebook, type ReleasedAssignment } from './release';
import { kernelErrors, ranNotebook } from './__fixtures__/kernelOutputs';
import { CORRECT, readFixtureSource } from './__fixtures__/submissions';

let assignment: ReleasedAssignment;
beforeAll(async () => {
  assignment = await releaseNotebook(readFixtureSource());
});

const BROKEN_RELU = 'function relu(x: number): number {\n  return Math.max(0, x +);\n}';

describe('describeExercises', () => {
  it('finds each exercise under its prompt, titled by it', () => {
    const exercises = describeExercises(assignment.reference);
    expect(exercises.map((e) => e.title)).toEqual([
      '1. Write relu(x), which is x for positive x and 0 otherwise.',
      '2. Write mean(xs), the average of a non-empty list of numbers.',
      '3. In one sentence: why does ReLU help deep networks train?',
    ]);
    expect(exercises.map((e) => e.gradeIds)).toEqual([['test_relu'], ['test_mean'], ['why_relu']]);
  });

  it("locates a syntax error at the answer cell's own line, and makes it the cause of the test's failure", () => {
    const graded = ranNotebook(assignment.reference, { ...CORRECT, relu: BROKEN_RELU }, {
      relu: [kernelErrors.syntax(2, 2, 25, 'Expression expected.', BROKEN_RELU.split('\n'))],
      test_relu: [kernelErrors.syntax(3, 1, 13, "Cannot find name 'relu'.", ['check.close(relu(-2), 0, {}, "relu(-2)");'])],
    });
    const [relu] = describeExercises(assignment.reference, graded);
    expect(relu.answers).toEqual([{ gradeId: 'relu', cellType: 'code', source: BROKEN_RELU, error: { ename: 'TypeScriptError', message: 'Expression expected.', line: 2, column: 25 } }]);
    expect(relu.tests).toEqual([{ gradeId: 'test_relu', cause: { answer: 'relu', line: 2, column: 25 } }]);
  });

  it("follows a runtime error's stack into the learner's function", () => {
    const graded = ranNotebook(assignment.reference, CORRECT, {
      test_mean: [kernelErrors.runtime('TypeError', "Cannot read properties of undefined (reading 'bar')", ['mean (In[4]:2:29)', 'In[5]:1:13'])],
    });
    const mean = describeExercises(assignment.reference, graded)[1];
    expect(mean.answers[0].error).toBeUndefined();
    expect(mean.tests).toEqual([{ gradeId: 'test_mean', cause: { answer: 'mean', line: 2, column: 29 } }]);
  });

  it('marks a failure raised on a line of a hidden test as hidden', () => {
    const hidden = ranNotebook(assignment.reference, CORRECT, {
      test_relu: [kernelErrors.runtime('CheckError', 'relu(0.25): expected 0.25, got 0', ['fail (/x/checks.js:65:11)', 'In[3]:4:7'])],
    });
    expect(describeExercises(assignment.reference, hidden)[0].tests[0].hidden).toBe(true);
    const visible = ranNotebook(assignment.reference, CORRECT, {
      test_relu: [kernelErrors.runtime('CheckError', 'relu(-2): expected 0, got -2', ['In[3]:1:7'])],
    });
    expect(describeExercises(assignment.reference, visible)[0].tests[0].hidden).toBeUndefined();
  });
});

it('hiddenLines and titleOf read markers and markdown', () => {
  expect([...hiddenLines('a\n// BEGIN HIDDEN TESTS\nb\n// END HIDDEN TESTS\nc')]).toEqual([2, 3, 4]);
  expect(titleOf('\n## Exercise 2: [softmax](http://x) of `logits`\nmore')).toBe('Exercise 2: softmax of logits');
  expect(titleOf('x'.repeat(300))!.length).toBeLessThanOrEqual(100);
});
