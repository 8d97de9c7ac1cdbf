# Hearth player: the words of the player itself (module texts come from the module).
# Keep ids stable; every language file has every id.

app-loading = Yükleniyor…
app-error = Bu modül yüklenemedi: { $reason }
example-badge = Örnek içerik
start = Başla
resume-title = Tekrar hoş geldiniz
resume-continue = Kaldığınız yerden devam edin
resume-restart = Baştan başla
resume-changed = Bu modül son ziyaretinizden bu yana değişti. İlerlemenizin olabildiğince fazlasını koruduk.
warning-title = İçerik uyarısı
warning-continue = Anladım, devam et
warning-leave = Şimdilik çık
continue = Devam
back = Geri
pause = Duraklat ve güvenle çık
paused-title = Duraklatıldı
paused-body = İlerlemeniz bu cihazda kaydedildi. Bu sayfayı şimdi kapatıp daha sonra geri dönebilirsiniz.
paused-resume = Devam et
return-to-course = Kursa dön
progress = Adım { $step }
settings = Ayarlar
text-size = Yazı boyutu
text-smaller = Daha küçük yazı
text-larger = Daha büyük yazı
low-data = Düşük veri modu
language = Dil
media-show-image = Görseli göster ({ $size })
media-play-audio = Sesi oynat ({ $size })
media-play-video = Videoyu oynat ({ $size })
media-transcript = Metin dökümü
your-choice = Seçiminiz
choice-effects = Bu seçimin değiştirdikleri
choices-label = Ne yaparsınız?
question-count = Soru { $n } / { $total }
check-answer = Cevabı kontrol et
feedback-correct = Doğru
feedback-incorrect = Tam olarak değil
feedback-partial = Kısmen doğru
mark-right = Doğru
mark-wrong = Yanlış
right-answer = Doğru cevap
answer-recorded = Cevabınız kaydedildi.
attempts-left = { $n ->
    [one] Bir deneme hakkınız daha var.
   *[other] { $n } deneme hakkınız daha var.
}
answer-true = Doğru
answer-false = Yanlış
move-up = Yukarı taşı
move-down = Aşağı taşı
order-position = Sıra { $n } / { $total }
match-choose = Eşleşeni seçin
answer-label = Cevabınız
number-label = Cevabınız (bir sayı)
reflection-label = Notunuz
reflection-local = Notunuz bu cihazda kalır. Başka kimse görmez.
reflection-shared = Notunuz eğitmeninizle paylaşılacak.
reflection-save = Notu kaydet
reflection-skip = Atla
outcome = Sonuç
result-passed = Başarılı
result-failed = Henüz geçilmedi
result-score = Puan: %{ $percent }
percent-value = %{ $percent }
competency-profile = Yetkinlik profili
competency-column = Yetkinlik
score-column = Puan
max-column = En yüksek
percent-column = Yüzde
debrief-title = Kararlarınıza geri bakış
debrief-empty = Bu yolda hiç karar vermediniz.
restart = Baştan başla
saved-local = Bu cihaza kaydedildi
saved-sent = Gönderildi
saved-memory = Bu cihaza kaydedilmedi: gönderilene kadar bu sayfayı açık tutun
points = { $n ->
    [one] { $n } puan
   *[other] { $n } puan
}
decisions-made = { $n ->
    [one] Bir karar verdiniz.
   *[other] { $n } karar verdiniz.
}
