# nbgrader configuration for courses written in TypeScript on the tsdl kernel.
#
# nbgrader picks the stub that replaces a solution by the notebook's kernelspec language and
# knows none for "typescript", so `nbgrader generate_assignment` fails without this file. Copy it
# into the course directory (or `load_subconfig` it from your own nbgrader_config.py).
#
# With it, nbgrader and `tsdl grade` release the same student notebooks and give the same scores.
# Keep TYPESCRIPT_STUB identical to TYPESCRIPT_STUB in grader/src/steps/release.ts (a test checks).

c = get_config()  # noqa: F821 (defined by traitlets when nbgrader loads this file)

TYPESCRIPT_STUB = "// YOUR CODE HERE\nthrow new Error(\"Not implemented yet: replace this line with your solution.\");"

c.ClearSolutions.code_stub = {
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
    "typescript": TYPESCRIPT_STUB,
    "javascript": TYPESCRIPT_STUB,
}
# Solution and hidden-test regions are marked by comment lines; nbgrader matches the words
# anywhere in a line, so "// BEGIN SOLUTION" works with its defaults. Stated here for readers.
c.ClearSolutions.begin_solution_delimeter = "BEGIN SOLUTION"
c.ClearSolutions.end_solution_delimeter = "END SOLUTION"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN HIDDEN TESTS"
c.ClearHiddenTests.end_test_delimeter = "END HIDDEN TESTS"

# The same per-cell time limit as `tsdl grade autograde --cell-timeout` (seconds).
c.Execute.timeout = 30

# nbgrader re-adds a deleted cell as "# <notice>" + source, a Python comment that is a syntax
# error in TypeScript; leave deleted cells out (they score 0), as `tsdl grade` does by default.
c.OverwriteCells.add_missing_cells = False
