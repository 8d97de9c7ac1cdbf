# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Загрузка…
app-error = Не удалось загрузить этот модуль: { $reason }
example-badge = Пример содержания
start = Начать
resume-title = С возвращением
resume-continue = Продолжить с того же места
resume-restart = Начать заново
resume-changed = С вашего последнего посещения этот модуль изменился. Мы сохранили как можно больше вашего прогресса.
warning-title = Предупреждение о содержании
warning-continue = Понятно, продолжить
warning-leave = Выйти пока
continue = Далее
back = Назад
pause = Пауза и безопасный выход
paused-title = Пауза
paused-body = Ваш прогресс сохранён на этом устройстве. Можно закрыть страницу сейчас и вернуться позже.
paused-resume = Продолжить
return-to-course = Вернуться к курсу
progress = Шаг { $step }
settings = Настройки
text-size = Размер текста
text-smaller = Уменьшить текст
text-larger = Увеличить текст
low-data = Режим экономии трафика
language = Язык
media-show-image = Показать изображение ({ $size })
media-play-audio = Воспроизвести аудио ({ $size })
media-play-video = Воспроизвести видео ({ $size })
media-transcript = Расшифровка
your-choice = Ваш выбор
choice-effects = Что изменил этот выбор
choices-label = Что вы сделаете?
question-count = Вопрос { $n } из { $total }
check-answer = Проверить ответ
feedback-correct = Верно
feedback-incorrect = Не совсем
feedback-partial = Частично верно
mark-right = Верно
mark-wrong = Неверно
right-answer = Правильный ответ
answer-recorded = Ваш ответ сохранён.
attempts-left = { $n ->
    [one] У вас осталась { $n } попытка.
    [few] У вас осталось { $n } попытки.
    [many] У вас осталось { $n } попыток.
   *[other] У вас осталось { $n } попытки.
}
answer-true = Верно
answer-false = Неверно
move-up = Переместить вверх
move-down = Переместить вниз
order-position = Позиция { $n } из { $total }
match-choose = Выберите соответствие
answer-label = Ваш ответ
number-label = Ваш ответ (число)
reflection-label = Ваша заметка
reflection-local = Ваша заметка остаётся на этом устройстве. Никто другой её не увидит.
reflection-shared = Вашу заметку увидит ваш тренер.
reflection-save = Сохранить заметку
reflection-skip = Пропустить
outcome = Итог
result-passed = Пройдено
result-failed = Пока не пройдено
result-score = Результат: { $percent }%
percent-value = { $percent }%
competency-profile = Профиль компетенций
competency-column = Компетенция
score-column = Баллы
max-column = Максимум
percent-column = Процент
debrief-title = Разбор ваших решений
debrief-empty = На этом пути вы не приняли ни одного решения.
restart = Начать заново
saved-local = Сохранено на этом устройстве
saved-sent = Отправлено
saved-memory = Не сохранено на этом устройстве: не закрывайте страницу, пока данные не отправлены
points = { $n ->
    [one] { $n } балл
    [few] { $n } балла
    [many] { $n } баллов
   *[other] { $n } балла
}
decisions-made = { $n ->
    [one] Вы приняли { $n } решение.
    [few] Вы приняли { $n } решения.
    [many] Вы приняли { $n } решений.
   *[other] Вы приняли { $n } решения.
}
