"""Floors the evaluation and benchmark scripts pin."""


def test_suggested_floors_sit_just_below_the_figures():
    from pipeline.inspect.floors import suggested_floors

    assert suggested_floors({"b": 0.9876, "a": 1.0, "c": 0.004}, "x").splitlines() == [
        "[x]", "a = 1.00", "b = 0.97", "c = 0.00"]
