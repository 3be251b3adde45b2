import { describeExercises } from './exercises';
import { feedbackHtml } from './feedback';
import { releaseNotebook, type ReleasedAssignment } from './release';
import { gradeCells, RESULT_FORMAT, totals, type SubmissionResult } from './results';
import type { Notebook } from './notebook';
import { kernelErrors, ranNotebook } from './__fixtures__/kernelOutputs';
import { CORRECT, readFixtureSource } from './__fixtures__/submissions';

let assignment: ReleasedAssignment;
beforeAll(async () => {
  assignment = await releaseNotebook(readFixtureSource());
});

function resultOf(graded: Notebook): SubmissionResult {
  const cells = gradeCells(graded);
  return {
    format: RESULT_FORMAT, submission: 'sam', file: 'ps1.ipynb', notebook: 'ps1.ipynb', status: 'graded', notes: [], cells, ...totals(cells),
    gradedAt: '2026-12-07T03:00:00.000Z', durationMs: 1, exercises: describeExercises(assignment.reference, graded),
  };
}
const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&gt;/g, '>').replace(/&lt;/g, '<').replace(/&amp;/g, '&');

const BROKEN_RELU = 'function relu(x: number): number {\n  return Math.max(0, x +);\n}';
const WRONG_TYPE = 'function relu(x: number): number {\n  const s: string = x;\n  return x;\n}';

describe('feedback', () => {
  it("shows a syntax error in the learner's own answer at its line, not the test's consequence", () => {
    const html = feedbackHtml(resultOf(ranNotebook(assignment.reference, { ...CORRECT, relu: BROKEN_RELU }, {
      relu: [kernelErrors.syntax(2, 2, 25, "')' expected.", BROKEN_RELU.split('\n'))],
      test_relu: [kernelErrors.syntax(3, 1, 13, "Cannot find name 'relu'.", ['check.close(relu(-2), 0, {}, "relu(-2)");'])],
    })));
    const page = text(html);
    expect(page).toMatch(/1\. Write relu\(x\), which is x for positive x and 0 otherwise\./);
    expect(page).not.toMatch(/test_relu/); // blocks are titled, not named by grade_id
    expect(html).toMatch(/<mark>2 \|   return Math\.max\(0, x \+\);<\/mark>\n  \| {25}\^ <span class="msg">'\)' expected\.<\/span>/);
    expect(page).toMatch(/Line 2: '\)' expected\./);
    expect(page).toMatch(/Your answer did not compile[^.]*\. Fix the error marked in your answer \(line 2\)/);
    expect(page).not.toMatch(/@ts-ignore|ts-nocheck|locked|edit the test/i);
  });

  it('gives advice for a type error that points at the answer, never at the locked test cell', () => {
    const page = text(feedbackHtml(resultOf(ranNotebook(assignment.reference, { ...CORRECT, relu: WRONG_TYPE }, {
      relu: [kernelErrors.syntax(2, 2, 9, "Type 'number' is not assignable to type 'string'.", WRONG_TYPE.split('\n'))],
      test_relu: [kernelErrors.syntax(3, 1, 13, "Cannot find name 'relu'.", ['check.close(relu(-2), 0, {}, "relu(-2)");'])],
    }))));
    expect(page).toMatch(/Line 2: Type 'number' is not assignable to type 'string'\./);
    expect(page).toContain('const s: string = x;');
    expect(page).not.toMatch(/@ts-ignore|ts-nocheck/);
  });

  it("shows the failed check's message, and the line of the learner's code a runtime error came from", () => {
    const page = text(feedbackHtml(resultOf(ranNotebook(assignment.reference, CORRECT, {
      test_relu: [kernelErrors.runtime('CheckError', 'relu(-2): expected 0, got -2', ['In[3]:1:7'])],
      test_mean: [kernelErrors.runtime('TypeError', "Cannot read properties of undefined (reading 'bar')", ['mean (In[4]:2:29)', 'In[5]:1:13'])],
    }))));
    expect(page).toMatch(/Test 0 \/ 2 failed\s*relu\(-2\): expected 0, got -2/);
    expect(page).toMatch(/at line 2 \(marked above\)/);
  });

  it('never shows a hidden test: not its code, not its message', () => {
    const html = feedbackHtml(resultOf(ranNotebook(assignment.reference, CORRECT, {
      test_relu: [kernelErrors.runtime('CheckError', 'relu(0.25): expected 0.25, got 0', ['fail (/x/checks.js:65:11)', 'In[3]:4:7'])],
    })));
    expect(html).not.toMatch(/0\.25|HIDDEN/);
    expect(text(html)).toMatch(/A hidden test failed\.[\s\S]*passes the tests you can see but not a hidden one/);
  });

  it('tells a learner who has not started to replace the placeholder, in the function or at the top of the cell', () => {
    const inFunction = text(feedbackHtml(resultOf(ranNotebook(assignment.reference, {}, {
      test_relu: [kernelErrors.runtime('Error', 'Not implemented yet: replace this line with your solution.', ['relu (In[2]:3:9)', 'In[3]:1:13'])],
    }))));
    expect(inFunction).toMatch(/Your answer still has the placeholder/);
    const topLevel = text(feedbackHtml(resultOf(ranNotebook(assignment.reference, {}, {
      relu: [kernelErrors.runtime('Error', 'Not implemented yet: replace this line with your solution.', ['In[2]:2:7'])],
      test_relu: [kernelErrors.syntax(3, 1, 13, "Cannot find name 'relu'.", ['check.close(relu(-2), 0, {}, "relu(-2)");'])],
    }))));
    expect(topLevel).toMatch(/Line 2: Error: Not implemented yet[\s\S]*Your answer still has the placeholder/);
  });

  it('shows written answers with their points', () => {
    const page = text(feedbackHtml(resultOf(ranNotebook(assignment.reference, CORRECT, {}))));
    expect(page).toMatch(/Your answer – \/ 1 to be graded by your teacher\s*Its gradient is 1/);
    expect(page).toMatch(/5 \/ 6 points[\s\S]*still to be graded by your teacher/);
  });
});
