"""The one exception a pipeline step raises for a problem the user can act on."""


class PipelineError(RuntimeError):
    """A step failed for a reason worth one readable line (bad input, dbt failed, ...)."""
