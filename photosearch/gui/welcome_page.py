"""The first-run page: what PhotoSearch does in one sentence, and the way to add a first folder."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from photosearch.gui.app_icon import app_pixmap


def suggested_pictures_folder() -> Path | None:
    """The user's Pictures folder when it exists (the XDG name first, then ~/Pictures)."""
    from PySide6.QtCore import QStandardPaths

    candidates = [QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation),
                  str(Path.home() / "Pictures")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir() and Path(candidate) != Path.home():
            return Path(candidate)
    return None


class WelcomePage(QWidget):
    """Shown while the library has no folders; `add_folder_requested(path or '')` ('' means: ask)."""

    add_folder_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        self.setAccessibleName("Welcome")

        icon = QLabel()
        icon.setPixmap(app_pixmap(96))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)

        title = QLabel("Welcome to PhotoSearch")
        title.setObjectName("welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)

        sentence = QLabel("Find your photos by describing what is in them, in any language — "
                          "PhotoSearch looks at every photo in the folders you choose, right here on this computer.")
        sentence.setObjectName("welcomeText")
        sentence.setWordWrap(True)
        sentence.setAlignment(Qt.AlignmentFlag.AlignCenter)
        sentence.setMaximumWidth(520)

        self.add_button = QPushButton("Add a Folder…")
        self.add_button.setObjectName("welcomeAddFolderButton")
        self.add_button.setAccessibleName("Add a folder")
        self.add_button.setToolTip("Choose a folder of photos to index (Ctrl+O)")
        self.add_button.setDefault(True)
        self.add_button.setMinimumHeight(34)
        self.add_button.clicked.connect(lambda: self.add_folder_requested.emit(""))

        self.pictures = suggested_pictures_folder()
        self.pictures_button = QPushButton()
        self.pictures_button.setObjectName("addPicturesButton")
        self.pictures_button.setMinimumHeight(34)
        self.pictures_button.setAccessibleName("Add your Pictures folder")
        self.pictures_button.setToolTip("Index the photos in your Pictures folder")
        if self.pictures is not None:
            self.pictures_button.setText(f"Add {self.pictures.name}")
            self.pictures_button.setAccessibleName(f"Add your {self.pictures.name} folder")
            self.pictures_button.setToolTip(f"Index the photos in {self.pictures}")
            self.pictures_button.clicked.connect(lambda: self.add_folder_requested.emit(str(self.pictures)))
        self.pictures_button.setVisible(self.pictures is not None)

        buttons = QHBoxLayout()
        buttons.setSpacing(10)
        buttons.addStretch(1)
        buttons.addWidget(self.pictures_button)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(32, 32, 32, 32)
        layout.setSpacing(14)
        layout.addStretch(2)
        layout.addWidget(icon)
        layout.addWidget(title)
        # Centred by stretches, not by an alignment flag: a layout item with an alignment gives a word-wrapped
        # label its one-line height instead of the height its lines need, and the sentence was cut top and bottom.
        centred = QHBoxLayout()
        centred.addStretch(1)
        centred.addWidget(sentence, 100)
        centred.addStretch(1)
        layout.addLayout(centred)
        layout.addSpacing(8)
        layout.addLayout(buttons)
        layout.addStretch(3)
