# nbgrader's configuration for the JupyterLab that `tsdl lab` (`npm start`) opens: `tsdl lab`
# puts this folder first on JUPYTER_CONFIG_PATH, where nbgrader's lab extension looks (its
# Validate button, assignment list and formgrader), instead of the folder JupyterLab started in.
#
# It is the course's own configuration (grader/nbgrader/nbgrader_config.py: the TypeScript
# solution stub, the solution and hidden-test markers), with a longer time limit per cell: Validate
# runs a learner's whole chapter, and the chapters' training cells take minutes under the default
# budget (notebooks/README.md lists each chapter's time), far past the 30 s allowed to a
# submission when grading.
import os

load_subconfig(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grader", "nbgrader", "nbgrader_config.py"))  # noqa: F821

c = get_config()  # noqa: F821
c.Execute.timeout = 900
