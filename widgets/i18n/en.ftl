# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Loading…
app-error = This module could not be loaded: { $reason }
example-badge = Example content
start = Start
resume-title = Welcome back
resume-continue = Continue where you left off
resume-restart = Start again
resume-changed = This module has changed since your last visit. We kept as much of your progress as we could.
warning-title = Content warning
warning-continue = I understand, continue
warning-leave = Leave for now
continue = Continue
back = Back
pause = Pause and leave safely
paused-title = Paused
paused-body = Your progress is saved on this device. You can close this page now and come back later.
paused-resume = Resume
return-to-course = Return to the course
progress = Step { $step }
settings = Settings
text-size = Text size
text-smaller = Smaller text
text-larger = Larger text
low-data = Low-data mode
language = Language
media-show-image = Show image ({ $size })
media-play-audio = Play audio ({ $size })
media-play-video = Play video ({ $size })
media-transcript = Transcript
your-choice = Your choice
choice-effects = What this choice changed
choices-label = What do you do?
question-count = Question { $n } of { $total }
check-answer = Check answer
feedback-correct = Correct
feedback-incorrect = Not quite
feedback-partial = Partly correct
mark-right = Right
mark-wrong = Not right
right-answer = Right answer
answer-recorded = Your answer is saved.
attempts-left = { $n ->
    [one] You have one more try.
   *[other] You have { $n } more tries.
}
answer-true = True
answer-false = False
move-up = Move up
move-down = Move down
order-position = Position { $n } of { $total }
match-choose = Choose a match
answer-label = Your answer
number-label = Your answer (a number)
reflection-label = Your note
reflection-local = Your note stays on this device. Nobody else sees it.
reflection-shared = Your note will be shared with your trainer.
reflection-save = Save note
reflection-skip = Skip
outcome = Outcome
result-passed = Passed
result-failed = Not passed yet
result-score = Score: { $percent }%
percent-value = { $percent }%
competency-profile = Competency profile
competency-column = Competency
score-column = Score
max-column = Maximum
percent-column = Percent
debrief-title = Looking back at your decisions
debrief-empty = You made no decisions on this path.
restart = Start again
saved-local = Saved on this device
saved-sent = Sent
saved-memory = Not saved on this device: keep this page open until it is sent
points = { $n ->
    [one] { $n } point
   *[other] { $n } points
}
decisions-made = { $n ->
    [one] You made one decision.
   *[other] You made { $n } decisions.
}
