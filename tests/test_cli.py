"""The rsmi command, driven through its entry point on tiny inputs."""

import argparse
import json
import os

import joblib
import numpy as np
import pytest

from sklearn_rsmi import cli
from sklearn_rsmi.datasets import make_ising


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def ising_file(tmp_path):
    path = tmp_path / "ising.npy"
    np.save(path, make_ising(120, 12, 2.269, random_state=0))
    return path


@pytest.mark.parametrize("argv", [[], ["sample"], ["fit"], ["flow"], ["exponents"]])
def test_every_command_has_help(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, "--help"])
    assert exit_info.value.code == 0
    assert "usage: rsmi" in capsys.readouterr().out


def test_main_job_on_its_default(capsys):
    code, out, _ = run(["--lattice-size", "12", "--n-samples", "120"], capsys)
    assert code == 0
    assert "I(H:E) =" in out and "hidden unit 0" in out and "T_eff/T_c" in out


@pytest.mark.parametrize(
    "argv, shape, values",
    [
        (["ising", "--lattice-size", "8", "--n-samples", "5", "--temperature", "3.0"], (5, 8, 8), {-1, 1}),
        (["ising", "--lattice-size", "10", "--n-samples", "4", "--dimension", "1"], (4, 10), {-1, 1}),
        (["dimers", "--lattice-size", "4", "--n-samples", "3", "--noise-coupling", "0.5"], (3, 8, 8), {0, 1}),
    ],
)
def test_sample_writes_npy(argv, shape, values, tmp_path, capsys):
    path = tmp_path / "out.npy"
    code, out, _ = run(["sample", argv[0], str(path), *argv[1:]], capsys)
    assert code == 0 and str(path) in out
    X = np.load(path)
    assert X.shape == shape
    assert set(np.unique(X)) <= values


def test_fit_writes_model_filters_and_png(ising_file, tmp_path, capsys):
    out_dir = tmp_path / "fit"
    code, out, _ = run(["fit", str(ising_file), "--n-epochs", "3", "--output-dir", str(out_dir)],
                       capsys)
    assert code == 0
    assert "I(H:E) =" in out and "hidden unit 0" in out
    record = json.loads((out_dir / "filters.json").read_text())
    model = joblib.load(out_dir / "rsmi_model.joblib")
    np.testing.assert_allclose(record["filters"], model.filters_)
    assert record["mutual_information_bits"] == pytest.approx(model.mutual_information_)
    assert (out_dir / "filters.png").read_bytes()[:4] == b"\x89PNG"
    X = np.load(ising_file)
    assert model.transform(X).shape == (120, 6, 6)


def test_fit_without_a_file_uses_the_ising_default(tmp_path, capsys):
    code, out, _ = run(["fit", "--lattice-size", "12", "--n-samples", "100", "--n-epochs", "2",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 0 and "2D Ising at T_c" in out


def test_flow_writes_csv_and_png(tmp_path, capsys):
    code, out, _ = run(["flow", "--lattice-size", "8", "--n-samples", "60", "--n-steps", "1", "--n-epochs", "2",
                        "--temperatures", "0.8", "1.3", "--output-dir", str(tmp_path)], capsys)
    assert code == 0
    assert "T_c" in out
    header = (tmp_path / "rg_flow.csv").read_text().splitlines()[0]
    assert "effective_temperature" in header
    assert (tmp_path / "rg_flow.png").exists()


def test_sample_cubic_lattice_at_its_critical_temperature(tmp_path, capsys, monkeypatch):
    calls = []

    def spy(*args, **kwargs):
        calls.append((args, kwargs))
        return make_ising(*args, **kwargs)

    monkeypatch.setattr("sklearn_rsmi.datasets.make_ising", spy)
    path = tmp_path / "cube.npy"
    code, out, _ = run(["sample", "ising", str(path), "--dimension", "3", "--lattice-size", "4",
                        "--n-samples", "3"], capsys)
    assert code == 0
    assert np.load(path).shape == (3, 4, 4, 4)
    (args, kwargs), = calls
    temperature = args[2] if len(args) > 2 else kwargs["temperature"]
    assert temperature == 4.5115232 and kwargs["dimension"] == 3


def test_dimension_four_is_refused_by_every_command(tmp_path, capsys):
    for argv in (["sample", "ising", str(tmp_path / "x.npy"), "--dimension", "4"],
                 ["fit", "--dimension", "4"], ["flow", "--dimension", "4"]):
        with pytest.raises(SystemExit) as exit_info:
            cli.main(argv)
        assert exit_info.value.code == 2
        assert "--dimension: invalid choice: 4" in capsys.readouterr().err


def test_fit_and_flow_in_three_dimensions(tmp_path, capsys):
    code, out, _ = run(["fit", "--dimension", "3", "--lattice-size", "6", "--n-samples", "30",
                        "--n-epochs", "1", "--n-windows", "500", "--output-dir", str(tmp_path)],
                       capsys)
    assert code == 0 and "3D Ising at T_c, 30 samples of 6x6x6" in out
    model = joblib.load(tmp_path / "rsmi_model.joblib")
    assert model.filters_.shape == (1, 2, 2, 2)
    assert (tmp_path / "filters.png").exists()

    code, out, _ = run(["flow", "--dimension", "3", "--lattice-size", "6", "--n-samples", "20",
                        "--n-steps", "1", "--n-epochs", "1", "--temperatures", "0.7", "1.5",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 0 and "RG flow (3D)" in out and "6x6x6" in out
    flow = np.genfromtxt(tmp_path / "rg_flow.csv", delimiter=",", names=True)
    assert set(flow["lattice_size"]) == {6, 3} and np.all(np.isnan(
        flow["effective_temperature_onsager"]))


def test_three_dimensional_mismatches_are_one_line_errors(ising_file, tmp_path, capsys):
    cube = tmp_path / "cube.npy"
    np.save(cube, make_ising(10, 6, 4.5, dimension=3, random_state=0, cache=False))
    for argv, message in (
        (["fit", str(cube), "--dimension", "2"], "--dimension 2, but the samples of shape "
                                                 "(10, 6, 6, 6)"),
        (["fit", str(cube), "--visible-shape", "2", "2"], "--visible-shape 2 2 has 2 axes"),
        (["fit", str(ising_file), "--visible-shape", "2", "2", "2"], "has 3 axes"),
        (["flow", "--dimension", "3", "--full"], "--full is the papers' 2D setting"),
    ):
        code, _, err = run(argv + ["--output-dir", str(tmp_path / "out")], capsys)
        assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def _not_binary(path):
    np.save(path, np.random.default_rng(0).random((4, 8, 8)))


def _wrong_shape(path):
    np.save(path, np.ones(5, dtype=np.int8))


def _unreadable(path):
    path.write_text("not an array")


def _archive(path):
    with open(path, "wb") as handle:
        np.savez(handle, a=np.ones((2, 4, 4)))


@pytest.mark.parametrize(
    "make, problem",
    [
        (_not_binary, "must be binary"),
        (_wrong_shape, "shape"),
        (_unreadable, "not a .npy file"),
        (_archive, "archive"),
        (None, "No such file"),
    ],
)
def test_bad_input_file_is_one_line_naming_file_and_problem(make, problem, tmp_path, capsys):
    path = tmp_path / "samples.npy"
    if make is not None:
        make(path)
    code, out, err = run(["fit", str(path), "--output-dir", str(tmp_path / "out")], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert str(path) in lines[0] and problem in lines[0]
    # A text file once got numpy's advice to set allow_pickle, which would not help.
    assert "allow_pickle" not in lines[0] and "samples contains" not in lines[0]


def test_block_of_the_wrong_rank_is_an_error(ising_file, capsys):
    code, _, err = run(["fit", str(ising_file), "--visible-shape", "4"], capsys)
    assert code == 2 and "--visible-shape" in err


def test_lattice_too_small_for_the_window_is_an_error(tmp_path, capsys):
    path = tmp_path / "small.npy"
    np.save(path, np.ones((4, 4, 4), dtype=np.int8))
    code, _, err = run(["fit", str(path), "--buffer-width", "2", "--environment-width", "2"], capsys)
    assert code == 2 and "window" in err and len(err.strip().splitlines()) == 1


def test_failed_writes_leave_no_partial_file(tmp_path, monkeypatch):
    target = tmp_path / "out.npy"

    def broken_save(handle, array):
        handle.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(np, "save", broken_save)
    with pytest.raises(OSError, match="disk full"):
        cli._save_npy_atomically(str(target), np.ones(3))
    assert os.listdir(tmp_path) == []


def test_commands_leave_numpy_print_options_alone(tmp_path, capsys):
    before = np.get_printoptions()
    run(["flow", "--lattice-size", "8", "--n-samples", "40", "--n-steps", "1", "--n-epochs", "1",
         "--temperatures", "0.8", "1.3", "--output-dir", str(tmp_path)], capsys)
    assert np.get_printoptions() == before


def test_exponents_in_3d_writes_the_cubic_tables_against_the_published_values(tmp_path,
                                                                               capsys):
    """A tiny cubic run (16^3 against 8^3): two level pairs of seven even and four odd
    operators, matching at two levels, the published exponents printed beside."""
    out_dir = tmp_path / "mcrg3d"
    code, out, _ = run(["exponents", "--dimension", "3", "--n-samples", "400",
                        "--n-small-samples", "400", "--n-fit-samples", "100", "--n-epochs", "2",
                        "--n-blocks", "4", "--n-chains", "1", "--output-dir", str(out_dir)],
                       capsys)
    assert code == 0, out
    assert "3D Ising model at T = 4.511523" in out and "400 samples of 16x16x16" in out
    record = json.loads((out_dir / "exponents.json").read_text())
    assert record["dimension"] == 3 and record["lattice_size"] == 16
    assert record["temperature"] == pytest.approx(4.5115232)
    tables = record["majority_rule"]["linearized_rg"]
    assert tables["coarse_shapes"] == [[8, 8, 8], [4, 4, 4]]
    assert [len(tables["operators"][s]) for s in ("even", "odd")] == [7, 4]
    assert record["majority_rule"]["two_lattice_matching"]["levels"] == [1, 2]
    # The cubic rule reads the pairs from n = 1 down to a 4^3 coarse level: 1 -> 2 here.
    for key in ("y_t", "y_h", "nu", "critical_temperature"):
        assert isinstance(record[key], float), key
    assert record["learned"]["notes"] == []
    assert "published 2.48185" in out and "published 4.51152" in out
    assert (out_dir / "exponents.png").is_file()


def test_exponents_in_3d_rejects_a_lattice_it_cannot_block_twice(tmp_path, capsys):
    code, _, err = run(["exponents", "--dimension", "3", "--lattice-size", "8",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 2 and "k >= 2 (16, 32, 64, ...) in 3D, got 8" in err
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["exponents", "--dimension", "4"])
    assert exit_info.value.code == 2 and "invalid choice: 4" in capsys.readouterr().err


@pytest.mark.parametrize("figure, match", [("fig2", "no 3D version"), ("fig4", "dimer"),
                                           ("fig6", "dimer")])
def test_reproduce_refuses_2d_only_figures_in_3d_before_any_work(figure, match, tmp_path,
                                                                 capsys, monkeypatch):
    from sklearn_rsmi import reproduce as _reproduce

    monkeypatch.setattr(_reproduce, "reproduce", _must_not_run)
    code, _, err = run(["reproduce", figure, "--dimension", "3", "--output-dir",
                        str(tmp_path / "out")], capsys)
    assert code == 2 and match in err and "only fig5" in err
    assert not (tmp_path / "out").exists()


def test_reproduce_fig5_in_3d_passes_the_dimension_and_names_its_files(tmp_path, capsys,
                                                                       monkeypatch):
    import matplotlib.pyplot as plt

    from sklearn_rsmi import reproduce as _reproduce

    def tiny_recipe(name, full, random_state, verbose, n_jobs, dimension=2):
        figure, ax = plt.subplots()
        return figure, {"figure": name, "full": full, "dimension": dimension}

    monkeypatch.setattr(_reproduce, "reproduce", tiny_recipe)
    code, _, _ = run(["reproduce", "fig5", "--dimension", "3", "--output-dir", str(tmp_path)],
                     capsys)
    assert code == 0
    assert json.loads((tmp_path / "fig5_3d_reduced.json").read_text()) == {
        "figure": "fig5", "full": False, "dimension": 3}
    assert (tmp_path / "fig5_3d_reduced.png").is_file()
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["reproduce", "fig5", "--dimension", "4"])
    assert exit_info.value.code == 2 and "invalid choice: 4" in capsys.readouterr().err


def test_reproduce_writes_png_and_numbers(tmp_path, capsys, monkeypatch):
    import matplotlib.pyplot as plt

    from sklearn_rsmi import reproduce as _reproduce

    def tiny_recipe(name, full, random_state, verbose, n_jobs):
        figure, ax = plt.subplots()
        ax.plot([0, 1], [0, 1])
        return figure, {"figure": name, "full": full}

    monkeypatch.setattr(_reproduce, "reproduce", tiny_recipe)
    code, out, _ = run(["reproduce", "fig2", "--output-dir", str(tmp_path)], capsys)
    assert code == 0
    assert json.loads((tmp_path / "fig2_reduced.json").read_text()) == {"figure": "fig2",
                                                                        "full": False}
    assert (tmp_path / "fig2_reduced.png").read_bytes()[:4] == b"\x89PNG"


def test_reproduce_rejects_unknown_figures(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["reproduce", "fig3"])
    assert exit_info.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_reproduce_fig4_has_help(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["reproduce", "fig4", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert "usage: rsmi reproduce" in out and "fig4" in out


@pytest.mark.parametrize("argv", [["reproduce", "fig6"], ["fit"], ["flow"]])
def test_output_dir_that_is_a_file_fails_before_the_work(argv, tmp_path, capsys, monkeypatch):
    from sklearn_rsmi import reproduce as _reproduce
    from sklearn_rsmi import rg

    def must_not_run(*args, **kwargs):
        raise AssertionError("the work started before the output directory was checked")

    monkeypatch.setattr(_reproduce, "reproduce", must_not_run)
    monkeypatch.setattr(rg, "rg_flow_sweep", must_not_run)
    monkeypatch.setattr(cli, "_default_ising", must_not_run)
    target = tmp_path / "taken"
    target.write_text("not a directory")
    code, _, err = run([*argv, "--output-dir", str(target)], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err
    assert str(target) in lines[0] and "not a directory" in lines[0]
    assert target.read_text() == "not a directory"


def test_fit_with_the_variational_objective(ising_file, tmp_path, capsys):
    code, out, _ = run(["fit", str(ising_file), "--objective", "variational", "--n-hidden", "2",
                        "--n-epochs", "3", "--learning-rate", "0.02",
                        "--learning-rate-schedule", "cosine", "--n-windows", "3000",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 0
    assert "I(H:E) =" in out and "hidden unit 1" in out
    record = json.loads((tmp_path / "filters.json").read_text())
    assert record["params"]["objective"] == "variational"
    assert record["params"]["learning_rate"] == 0.02
    assert record["params"]["learning_rate_schedule"] == "cosine"
    assert record["params"]["n_windows"] == 3000
    assert np.array(record["filters"]).shape == (2, 2, 2)
    cg = joblib.load(tmp_path / "rsmi_model.joblib")
    assert cg.rbm_visible_ is None and cg.critic_coef_.shape[0] == 4  # one row per hidden state


@pytest.mark.parametrize("model, name", [("ising", "make_ising"), ("dimers", "make_dimers")])
def test_sample_verbose_prints_progress(model, name, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_RSMI_DATA", str(tmp_path / "data"))
    argv = ["sample", model, str(tmp_path / "out.npy"), "--lattice-size", "4", "--n-samples", "12"]
    code, out, _ = run(argv, capsys)
    assert code == 0 and f"[{name}]" not in out
    code, out, _ = run([*argv, "--random-state", "1", "-v"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(f"[{name}] burn-in done")
    assert lines[-2].startswith(f"[{name}] 12/12 samples, ") and len(lines) == 12


def test_seed_and_verbose_work_before_or_after_the_subcommand(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_RSMI_DATA", str(tmp_path / "data"))
    before, after = tmp_path / "before.npy", tmp_path / "after.npy"
    code, out_before, _ = run(["-v", "--random-state", "3", "sample", "ising", str(before),
                               "--lattice-size", "4", "--n-samples", "5"], capsys)
    assert code == 0 and "[make_ising]" in out_before
    code, out_after, _ = run(["sample", "ising", str(after), "--lattice-size", "4", "--n-samples", "5",
                              "--random-state", "3", "-v"], capsys)
    assert code == 0 and "[make_ising]" in out_after
    np.testing.assert_array_equal(np.load(before), np.load(after))
    # Different from the default seed, so the seed did reach the sampler.
    default = tmp_path / "default.npy"
    run(["sample", "ising", str(default), "--lattice-size", "4", "--n-samples", "5"], capsys)
    assert not np.array_equal(np.load(default), np.load(after))


@pytest.mark.parametrize("argv", [["--lattice-size", "4", "sample", "ising"],
                                  ["--n-samples=3", "fit"],
                                  ["--random-state", "1", "--lattice-size", "4", "--n-samples", "3",
                                   "flow"]])
def test_main_job_sizes_before_a_subcommand_are_an_error(argv, tmp_path, capsys):
    """They would be replaced by the subcommand's own defaults without a word."""
    out = tmp_path / "out.npy"
    with pytest.raises(SystemExit) as exit_info:
        cli.main([*argv, str(out)] if "sample" in argv else argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "would be ignored; give" in err and "Traceback" not in err
    assert not out.exists()


def test_default_data_of_fit_reports_sampling_progress(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKLEARN_RSMI_DATA", str(tmp_path / "data"))
    code, out, _ = run(["fit", "--lattice-size", "8", "--n-samples", "20", "--n-epochs", "1", "-v",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 0 and "[make_ising] 20/20 samples" in out


# ---------------------------------------------------------------------------------------------
# failure modes and polish of the front door


def _must_not_run(*args, **kwargs):
    raise AssertionError("the work started before the output folder was checked")


@pytest.mark.parametrize("argv", [["reproduce", "fig6"], ["fit"], ["flow"]])
def test_an_unwritable_output_dir_fails_before_the_work(argv, tmp_path, capsys, monkeypatch):
    """It was found only after the work (ten minutes with --full), in a message naming an
    internal temporary file. The read-only folder is simulated: the tests may run as root."""
    from sklearn_rsmi import reproduce as _reproduce
    from sklearn_rsmi import rg
    from sklearn_rsmi._utils import files

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(_reproduce, "reproduce", _must_not_run)
    monkeypatch.setattr(rg, "rg_flow_sweep", _must_not_run)
    monkeypatch.setattr(cli, "_default_ising", _must_not_run)
    monkeypatch.setattr(files.tempfile, "TemporaryFile", refuse)
    code, _, err = run([*argv, "--output-dir", str(tmp_path)], capsys)
    assert code == 2 and "Traceback" not in err
    assert f"--output-dir {tmp_path}: cannot write there" in err and ".tmp" not in err


def test_sample_creates_missing_folders_and_checks_them_first(tmp_path, capsys, monkeypatch):
    """fit --output-dir created its folder, sample did not."""
    path = tmp_path / "new" / "deeper" / "out.npy"
    code, _, _ = run(["sample", "ising", str(path), "--lattice-size", "4", "--n-samples", "2"],
                     capsys)
    assert code == 0 and np.load(path).shape == (2, 4, 4)
    (tmp_path / "file").write_text("")
    monkeypatch.setattr(cli, "_run_sample", cli._run_sample)  # the real one
    import sklearn_rsmi.datasets as datasets

    monkeypatch.setattr(datasets, "make_ising", _must_not_run)
    code, _, err = run(["sample", "ising", str(tmp_path / "file" / "x.npy")], capsys)
    assert code == 2 and "not a directory" in err


@pytest.mark.parametrize("argv, flag", [
    (["dimers", "--dimension", "1"], "--dimension"),
    (["dimers", "--temperature", "3"], "--temperature"),
    (["dimers", "--algorithm", "metropolis"], "--algorithm"),
    (["ising", "--noise-coupling", "2"], "--noise-coupling"),
])
def test_sample_refuses_the_other_models_options(argv, flag, tmp_path, capsys):
    """rsmi sample dimers --dimension 1 ignored --dimension."""
    out = tmp_path / "out.npy"
    code, _, err = run(["sample", argv[0], str(out), *argv[1:]], capsys)
    assert code == 2 and f"{flag}: not an option of the {argv[0]} model" in err
    assert not out.exists()


@pytest.mark.parametrize("command", ["sample", "fit", "flow", "reproduce", "exponents"])
def test_every_option_says_what_it_does_and_its_default(command):
    """Several options showed no default or no help (sample --dimension, fit --objective...)."""
    parser = cli.build_parser()
    sub = next(action for action in parser._actions
               if isinstance(action, argparse._SubParsersAction)).choices[command]
    for action in sub._actions:
        if not action.option_strings or action.dest == "help":
            continue
        assert action.help, action.option_strings
        flag_like = action.nargs == 0  # --full, -v
        assert flag_like or "default" in action.help, action.option_strings


def test_temperatures_are_checked_as_typed(capsys, monkeypatch):
    """--temperatures -1 1 quoted -2.269, the value after scaling by T_c."""
    from sklearn_rsmi import rg

    monkeypatch.setattr(rg, "rg_flow_sweep", _must_not_run)
    code, _, err = run(["flow", "--temperatures", "-1", "1"], capsys)
    assert code == 2 and "must be > 0, got -1" in err and "2.269" not in err


def test_flow_reports_progress_by_default(tmp_path, capsys):
    """A 40 s job said nothing without -v."""
    code, out, _ = run(["flow", "--lattice-size", "8", "--n-samples", "40", "--n-steps", "1",
                        "--n-epochs", "1", "--temperatures", "0.8", "1.3",
                        "--output-dir", str(tmp_path)], capsys)
    assert code == 0 and "[rg_flow_sweep]" in out


def test_the_main_job_says_whether_its_samples_came_from_the_cache(capsys):
    """'(cached on disk)' was printed for freshly generated samples too."""
    argv = ["--lattice-size", "8", "--n-samples", "30", "--random-state", "12345"]
    _, first, _ = run(argv, capsys)
    _, second, _ = run(argv, capsys)
    assert "sampled with Wolff clusters" in first and "loaded from the disk cache" not in first
    assert "loaded from the disk cache" in second and "sampled with" not in second


def test_exponents_writes_json_with_the_numbers_and_a_png(tmp_path, capsys):
    """A tiny run: the keys, the tables and the majority-rule anchor are there, and the
    numbers printed are the ones written."""
    out_dir = tmp_path / "mcrg"
    code, out, _ = run(["exponents", "--n-samples", "600", "--n-small-samples", "600",
                        "--n-fit-samples", "300", "--n-epochs", "2", "--n-blocks", "4",
                        "--n-chains", "1", "--output-dir", str(out_dir)], capsys)
    assert code == 0, out
    record = json.loads((out_dir / "exponents.json").read_text())
    for key in ("y_t", "y_t_error", "y_h", "y_h_error", "nu", "nu_error",
                "critical_temperature", "critical_temperature_error"):
        assert isinstance(record[key], float), key
        assert record[key] == record["learned"][key]
    assert record["nu"] == pytest.approx(1 / record["y_t"])
    assert record["lattice_size"] == 32 and record["n_samples"] == 600
    tables = record["learned"]["linearized_rg"]
    assert len(tables["exponents"]["even"]) == 3 and len(tables["exponents"]["even"][0]) == 7
    assert record["majority_rule"]["two_lattice_matching"]["levels"] == [1, 2, 3]
    assert 1.7 < record["majority_rule"]["y_h"] < 2.05
    assert f"y_h  = {record['y_h']:.5f}" in out
    assert (out_dir / "exponents.png").is_file()


def test_exponents_rejects_a_lattice_it_cannot_block_to_4x4(tmp_path, capsys):
    code, _, err = run(["exponents", "--lattice-size", "24", "--output-dir", str(tmp_path)],
                       capsys)
    assert code == 2 and "4 * 2**k" in err
