"""Figures for docs/genres.rst: the genre similarity dendrogram (PNG) and the genre table (reST include).

Writes ``docs/images/genre_dendrogram.png`` (average-linkage clustering of the genres' convention vectors
on cosine distance, :func:`harmonia.symbolic.genres.genre_linkage`) and ``docs/genres_table.inc`` (one
row per genre, from the shipped data).  Rerun after changing the database and commit both files.

Usage: python benchmarks/plot_genres.py
"""

from __future__ import annotations

from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def write_table(path: Path) -> None:
    from harmonia.symbolic.genres import get_genre, list_genres, nearest_genres

    rows = []
    for name in list_genres():
        g = get_genre(name)
        top = max(g.progressions, key=lambda p: p.weight)
        rows.append([
            f"``{g.name}``", g.family, f"{g.tempo_bpm[0]:g}-{g.tempo_bpm[1]:g}", ", ".join(m for m, _ in g.meters),
            f"{g.swing:.2f}", f"{g.energy:.2f}", " ".join(top.numerals) + (" (" + top.mode + ")"),
            f"{g.production.loudness_lufs:g}" if g.production else "",
            ", ".join(n for n, _ in nearest_genres(name, k=2)),
        ])
    head = ["genre", "family", "tempo (bpm)", "metres", "swing", "energy", "commonest progression", "LUFS",
            "nearest"]
    lines = [".. list-table::", "   :header-rows: 1", "   :widths: auto", ""]
    for row in [head, *rows]:
        lines.append("   * - " + row[0])
        lines += [f"     - {c}" for c in row[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_dendrogram(path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from scipy.cluster.hierarchy import dendrogram

    from harmonia.symbolic.genres import genre_linkage

    names, z = genre_linkage()
    fig, ax = plt.subplots(figsize=(8, 7), dpi=110)
    dendrogram(z, labels=names, orientation="right", ax=ax, color_threshold=0.85, leaf_font_size=9)
    ax.set_xlabel("cosine distance between convention vectors (average linkage)")
    ax.set_title("harmonia genre database: similarity of conventions")
    fig.tight_layout()
    fig.savefig(path, metadata={"Software": None})
    plt.close(fig)


def main() -> int:
    (DOCS / "images").mkdir(exist_ok=True)
    write_table(DOCS / "genres_table.inc")
    write_dendrogram(DOCS / "images" / "genre_dendrogram.png")
    print(f"wrote {DOCS / 'genres_table.inc'} and {DOCS / 'images' / 'genre_dendrogram.png'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
