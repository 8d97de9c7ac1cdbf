# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Laden…
app-error = Deze module kon niet worden geladen: { $reason }
example-badge = Voorbeeldinhoud
start = Beginnen
resume-title = Welkom terug
resume-continue = Verdergaan waar je was gebleven
resume-restart = Opnieuw beginnen
resume-changed = Deze module is gewijzigd sinds je laatste bezoek. We hebben zo veel mogelijk van je voortgang bewaard.
warning-title = Inhoudswaarschuwing
warning-continue = Ik begrijp het, verder
warning-leave = Nu even stoppen
continue = Verder
back = Terug
pause = Pauzeren en veilig weggaan
paused-title = Gepauzeerd
paused-body = Je voortgang is op dit apparaat opgeslagen. Je kunt deze pagina nu sluiten en later terugkomen.
paused-resume = Hervatten
return-to-course = Terug naar de cursus
progress = Stap { $step }
settings = Instellingen
text-size = Tekstgrootte
text-smaller = Kleinere tekst
text-larger = Grotere tekst
low-data = Databesparende modus
language = Taal
media-show-image = Afbeelding tonen ({ $size })
media-play-audio = Audio afspelen ({ $size })
media-play-video = Video afspelen ({ $size })
media-transcript = Transcriptie
your-choice = Jouw keuze
choice-effects = Wat deze keuze veranderde
choices-label = Wat doe je?
question-count = Vraag { $n } van { $total }
check-answer = Antwoord controleren
feedback-correct = Goed
feedback-incorrect = Niet helemaal
feedback-partial = Gedeeltelijk goed
mark-right = Goed
mark-wrong = Niet goed
right-answer = Goed antwoord
answer-recorded = Je antwoord is opgeslagen.
attempts-left = { $n ->
    [one] Je hebt nog één poging.
   *[other] Je hebt nog { $n } pogingen.
}
answer-true = Waar
answer-false = Niet waar
move-up = Omhoog
move-down = Omlaag
order-position = Positie { $n } van { $total }
match-choose = Kies wat erbij past
answer-label = Jouw antwoord
number-label = Jouw antwoord (een getal)
reflection-label = Jouw notitie
reflection-local = Je notitie blijft op dit apparaat. Niemand anders ziet hem.
reflection-shared = Je notitie wordt gedeeld met je trainer.
reflection-save = Notitie opslaan
reflection-skip = Overslaan
outcome = Uitkomst
result-passed = Geslaagd
result-failed = Nog niet geslaagd
result-score = Score: { $percent }%
percent-value = { $percent }%
competency-profile = Competentieprofiel
competency-column = Competentie
score-column = Score
max-column = Maximum
percent-column = Procent
debrief-title = Terugblik op je beslissingen
debrief-empty = Je hebt op dit pad geen beslissingen genomen.
restart = Opnieuw beginnen
saved-local = Opgeslagen op dit apparaat
saved-sent = Verzonden
saved-memory = Niet opgeslagen op dit apparaat: houd deze pagina open tot alles is verzonden
points = { $n ->
    [one] { $n } punt
   *[other] { $n } punten
}
decisions-made = { $n ->
    [one] Je hebt één beslissing genomen.
   *[other] Je hebt { $n } beslissingen genomen.
}
