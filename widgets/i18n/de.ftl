# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Wird geladen…
app-error = Dieses Modul konnte nicht geladen werden: { $reason }
example-badge = Beispielinhalt
start = Starten
resume-title = Willkommen zurück
resume-continue = Dort weitermachen, wo du aufgehört hast
resume-restart = Neu beginnen
resume-changed = Dieses Modul wurde seit deinem letzten Besuch geändert. Wir haben so viel von deinem Fortschritt behalten, wie möglich war.
warning-title = Inhaltshinweis
warning-continue = Verstanden, weiter
warning-leave = Jetzt verlassen
continue = Weiter
back = Zurück
pause = Pausieren und sicher verlassen
paused-title = Pausiert
paused-body = Dein Fortschritt ist auf diesem Gerät gespeichert. Du kannst diese Seite jetzt schließen und später zurückkommen.
paused-resume = Fortsetzen
return-to-course = Zurück zum Kurs
progress = Schritt { $step }
settings = Einstellungen
text-size = Textgröße
text-smaller = Kleinerer Text
text-larger = Größerer Text
low-data = Datensparmodus
language = Sprache
media-show-image = Bild anzeigen ({ $size })
media-play-audio = Audio abspielen ({ $size })
media-play-video = Video abspielen ({ $size })
media-transcript = Transkript
your-choice = Deine Wahl
choice-effects = Was diese Wahl verändert hat
choices-label = Was tust du?
question-count = Frage { $n } von { $total }
check-answer = Antwort prüfen
feedback-correct = Richtig
feedback-incorrect = Nicht ganz
feedback-partial = Teilweise richtig
mark-right = Richtig
mark-wrong = Nicht richtig
right-answer = Richtige Antwort
answer-recorded = Deine Antwort ist gespeichert.
attempts-left = { $n ->
    [one] Du hast noch einen Versuch.
   *[other] Du hast noch { $n } Versuche.
}
answer-true = Wahr
answer-false = Falsch
move-up = Nach oben
move-down = Nach unten
order-position = Position { $n } von { $total }
match-choose = Passendes auswählen
answer-label = Deine Antwort
number-label = Deine Antwort (eine Zahl)
reflection-label = Deine Notiz
reflection-local = Deine Notiz bleibt auf diesem Gerät. Niemand sonst sieht sie.
reflection-shared = Deine Notiz wird mit deiner Trainerin oder deinem Trainer geteilt.
reflection-save = Notiz speichern
reflection-skip = Überspringen
outcome = Ergebnis
result-passed = Bestanden
result-failed = Noch nicht bestanden
result-score = Punktzahl: { $percent } %
percent-value = { $percent } %
competency-profile = Kompetenzprofil
competency-column = Kompetenz
score-column = Punkte
max-column = Maximum
percent-column = Prozent
debrief-title = Rückblick auf deine Entscheidungen
debrief-empty = Auf diesem Weg hast du keine Entscheidungen getroffen.
restart = Neu beginnen
saved-local = Auf diesem Gerät gespeichert
saved-sent = Gesendet
saved-memory = Nicht auf diesem Gerät gespeichert: Lassen Sie diese Seite offen, bis alles gesendet ist
points = { $n ->
    [one] { $n } Punkt
   *[other] { $n } Punkte
}
decisions-made = { $n ->
    [one] Du hast eine Entscheidung getroffen.
   *[other] Du hast { $n } Entscheidungen getroffen.
}
