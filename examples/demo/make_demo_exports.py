"""Write the demo persona's chat exports (examples/demo/raw/) from the dialogue in this file.

    .venv/bin/python examples/demo/make_demo_exports.py

Everyone here is made up: Mika (the persona, a cheerful, slightly chaotic VTuber-ish friend),
Ren, Juno, Tomo, Dex, the Jukebox music bot and Zoë "Yuki" Yukimura. The output is byte-for-byte
the same on every run: ids, timestamps and reply delays come from the dialogue and fixed seeds.

Files written (in the formats the real exporters write):
  raw/discord/cozy-corner_general.json   DiscordChatExporter JSON, server channel #general
  raw/discord/dm_ren.json                DiscordChatExporter JSON, a DM between Mika and Ren
  raw/messenger/inbox/mikaandyuki_abc123/message_1.json
                                         Facebook "Download your information" JSON, newest
                                         message first, text as latin-1 mojibake of UTF-8

Dialogue format, one conversation per `=== CHANNEL YYYY-MM-DD HH:MM` block (UTC start time;
later blocks of a channel start hours or days after the previous one ended):
  who: text            a message; `@Name` mentions a Discord user by nickname
  ! join who           Discord: "Joined the server."
  ! pin who            Discord: who pins the last message tagged {pin}
  ! call who MINUTES   a call (Discord "Started a call ..." / Messenger "type": "Call")
Tags inside a message's text:
  {re}                 Discord: a reply to the last message by someone else
  {pin}                Discord: the message is (or will be) pinned
  {edited}             Discord: edited 40 s after it was sent
  {img:FILE}           an image attachment (Discord) or {photo} (Messenger)
  {sticker:NAME}       Discord sticker
  {link:TITLE}         Discord: an embed for the message's link
  {react:EMOJI:N}      reactions (N people; Messenger: one reaction by the other person)
  {share:URL}          Messenger: a shared link
  {unsent}             Messenger: an unsent message
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
RAW = HERE / "raw"
DISCORD_EPOCH_MS = 1_420_070_400_000
EXPORTED_AT = "2024-06-12T18:00:00.000+00:00"


@dataclass(frozen=True)
class User:
    id: str
    name: str
    nickname: str
    color: str | None
    is_bot: bool = False
    discriminator: str = "0000"

    def avatar(self) -> str:
        return f"https://cdn.discordapp.com/avatars/{self.id}/{hashlib.md5(self.id.encode()).hexdigest()}.png?size=512"

    def author(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "discriminator": self.discriminator,
            "nickname": self.nickname,
            "color": self.color,
            "isBot": self.is_bot,
            "avatarUrl": self.avatar(),
        }

    def mention(self) -> dict:
        return {"id": self.id, "name": self.name, "discriminator": self.discriminator, "nickname": self.nickname, "isBot": self.is_bot}


USERS = {
    "mika": User("402786323548913665", "mikamika", "Mika", "#F47FFF"),
    "ren": User("287654321098765432", "ren.exe", "Ren", "#3498DB"),
    "juno": User("358912345678901234", "junodraws", "Juno", "#E67E22"),
    "tomo": User("511234567890123456", "tomo_k", "Tomo", None),
    "dex": User("623456789012345678", "dexterity", "Dex", "#2ECC71"),
    "jukebox": User("830000000000000042", "Jukebox", "Jukebox", "#95A5A6", is_bot=True, discriminator="4521"),
}
MESSENGER_NAMES = {"mika": "Mika Hoshino", "yuki": "Zoë Yukimura"}
GUILD = {"id": "1212345678901234567", "name": "mika's cozy corner", "iconUrl": "https://cdn.discordapp.com/icons/1212345678901234567/5f3c1a2b9d8e7f6a5b4c3d2e1f0a9b8c.png"}
DM_GUILD = {"id": "0", "name": "Direct Messages", "iconUrl": "https://cdn.discordapp.com/embed/avatars/0.png"}
CHANNELS = {
    "general": (GUILD, {"id": "1212345678901234568", "type": "GuildTextChat", "categoryId": "1212345678901234566", "category": "Text Channels", "name": "general", "topic": "the cozy corner ✨ be nice, no spoilers, feed mochi (emotionally)"}),
    "dm": (DM_GUILD, {"id": "1213579246801357924", "type": "DirectTextChat", "categoryId": "0", "category": "Private", "name": "ren.exe", "topic": None}),
}
EMOJI = {  # emoji: (DiscordChatExporter code, twemoji file)
    "😂": ("joy", "1f602"), "❤️": ("heart", "2764"), "🎉": ("tada", "1f389"), "😭": ("sob", "1f62d"),
    "✨": ("sparkles", "2728"), "👍": ("thumbsup", "1f44d"), "🔥": ("fire", "1f525"), "🥺": ("pleading_face", "1f97a"),
}

# --- the dialogue ---------------------------------------------------------------------------

GENERAL = """
=== general 2024-03-01 18:04
mika: okay the server is officially open!! welcome to the cozy corner everyone :3
juno: AAAA it looks so cute 🥺✨
ren: The server icon is a cat eating ramen. Very on brand.
mika: it's mochi!! she's the mascot now, she doesn't get a say in it
tomo: real
mika: ok rules are simple: be nice, no spoilers, feed mochi (emotionally)
juno: can we have an art channel later?? i have so many doodles
mika: yes yes!! i'll make one tonight, ngl i forgot
ren: I'll set up the mod bot tomorrow, it's late.
mika: sugoi, ren-sensei to the rescue
ren: Please never call me that again.
mika: ren-sensei ren-sensei ren-sensei
tomo: lmao
juno: 😂😂
mika: ok ok i'll stop (i won't)

=== general 2024-03-02 20:10
mika: stream in 20 min!! rhythm game night, i will absolutely fail every song
juno: hype!! 🎶
tomo: which game
mika: the one with the cats that judge your timing. it's cruel and i love it
ren: You said that about the last one and then rage quit after 40 minutes.
mika: that was ONE time and the song was illegal
ren: It was the tutorial.
mika: slander!! pure slander
juno: i'll clip it if it happens again ✨
mika: juno nooo you're supposed to be on my side
juno: i am!! clips are love
mika: ok going live, come say hi!! https://twitch.tv/mika_demo_stream {link:mika_demo_stream - Twitch}
tomo: omw

=== general 2024-03-02 23:40
mika: YATTA!! full combo on the hard song!! i'm shaking
juno: I SCREAMED {react:🎉:3}
ren: Okay, that was actually impressive. Congrats.
mika: ren said impressive!! someone screenshot that
tomo: {img:ren_said_impressive.png} {pin}
mika: LMAO tomo you legend
juno: pinning this forever
! pin juno
mika: ngl my hands hurt but it was worth it
ren: Hydrate. And stretch your wrists, you played for three hours.
mika: yes mom :3
ren: I'm serious.
mika: i know i know, stretching now!! thank u for modding tonight
ren: Anytime.
tomo: gg
mika: gn everyone!! sleep well

=== general 2024-03-04 12:30
tomo: what do people eat for lunch when they have 10 dollars and an exam in an hour
mika: onigiri from the konbini!! cheap, fast, tastes like victory
tomo: we dont have a konbini
mika: ...a sad sandwich then :(
ren: Peanut butter toast. Protein, carbs, zero effort.
tomo: based
mika: ren's diet is 80% toast i swear
ren: 60% at most.
juno: i made curry last night and have way too much, bringing leftovers to the library if anyone's there
tomo: juno ily
mika: SUGOI juno the curry goddess
juno: 🍛✨
tomo: gtg exam time
mika: good luck tomo!! you got this, you studied so much

=== general 2024-03-05 17:15
! join dex
mika: new friend!! welcome dex!! :3
dex: hey! ren said this was where the cool people are
ren: I said "where the people are". Don't embellish.
mika: ren is shy, ignore him
dex: lol noted
juno: hi dex!! are you the one who fixed ren's pc?
dex: guilty. it was a loose ram stick, not exactly rocket science
mika: dex can you fix my obs?? my mic sounds like a haunted microwave
dex: probably a sample rate mismatch, check if your mic is on 48khz and obs is on 44.1
mika: what's a sample rate
dex: oh no
ren: Welcome to the server, Dex.
mika: lmao i'm kidding (i'm not kidding, please help)
dex: i'll write you a checklist tonight
mika: yatta!! thank u thank u

=== general 2024-03-06 21:00
mika: music time!! putting on the lofi queue for study night
jukebox: 🎵 Now playing: lofi study beats - 3 hour mix [3:02:11]
tomo: perfect
juno: this playlist is my whole personality during finals
mika: same ngl, i've heard the rain track so many times i hear it in my dreams
jukebox: ➕ Added to queue: Mariya Takeuchi - Plastic Love — requested by Mika
mika: ok i added plastic love because i have taste
ren: You add Plastic Love every single time.
mika: and every single time it's correct!!
dex: can't argue with that
jukebox: 🎵 Now playing: Mariya Takeuchi - Plastic Love [7:54]
juno: 🕺✨
tomo: ok actually studying now bye

=== general 2024-03-08 14:20
mika: mochi knocked my tea off the desk and then LOOKED AT ME {img:mochi_crime_scene.jpg}
juno: the audacity 😭
ren: She's establishing dominance.
mika: she's 4 kilos of pure chaos and i love her
tomo: lmao
dex: my cat does that with pens, he's collected like 30 under the couch
mika: a pen hoarder!! what's his name
dex: bit. as in bit flip
mika: that's the nerdiest cat name i've ever heard and i love it
juno: i need to draw mochi and bit together
mika: PLEASE juno yes
juno: on it 🎨

=== general 2024-03-09 03:12
tomo: anyone up
tomo: @Mika
mika: me!!
tomo: lol
tomo: nvm

=== general 2024-03-10 19:00
juno: ok it's done!! mochi and bit, partners in crime {img:mochi_and_bit.png} {react:❤️:4}
mika: JUNO
mika: I'M CRYING
mika: sugoi sugoi sugoi, mochi looks so smug, that's exactly her
dex: bit's little bandit mask is perfect lol
ren: That's really good, Juno.
juno: 🥺🥺 thank you!!
mika: can i use this as the stream starting screen?? i'll credit u obviously
juno: yes of course!! i can make a bigger version for 1080p
mika: yatta!! you're the best, i owe you so much ramen
juno: i'm keeping count 📝
tomo: can i also be owed ramen
mika: what did you do
tomo: emotional support
mika: valid. ramen for everyone

=== general 2024-03-12 16:40
dex: @Mika checklist as promised: https://docs.google.com/document/d/1demoObsChecklist/edit
mika: DEX!! thank youuu
mika: ok step one, "open audio settings". i can do that. i'm a genius
dex: step two is where people usually cry
mika: it says 44.1 khz. the mic says 48. i'm going to be sick
dex: yeah that's the haunted microwave. set obs to 48 and restart it
mika: restarting...
mika: IT WORKS. my voice is my voice again!!
ren: Finally. The last stream sounded like you were calling from a submarine.
mika: ren you could've SAID something
ren: I did. Four times. You said "it's the vibe".
mika: lmao ok that does sound like me
dex: also your bitrate was kinda low, try 6000 if your upload can take it
mika: my upload is powered by a hamster but i'll try!!

=== general 2024-03-13 22:10
ren: Did you beat the twin boss yet?
tomo: no
tomo: 23 tries
ren: Summon the npc. No shame.
tomo: i have shame
ren: Shame doesn't beat bosses.
tomo: ok fair
tomo: summoned
tomo: WON
ren: Told you.

=== general 2024-03-15 18:30
mika: weekend plans!! who wants to do karaoke saturday, there's a new place near the station
juno: me me me!! 🎤
tomo: if there's food
mika: there's a whole menu, they have fries shaped like stars
tomo: im in
ren: I'll come, but I'm not singing.
mika: ren you said that last time and then you sang bohemian rhapsody TWICE
ren: That was peer pressure.
dex: i'll come, i can only sing one song though
mika: which one
dex: the pokemon theme
mika: dex that's the best possible answer
juno: ok so saturday 6pm?? i'll book the room
mika: yatta!! saturday 6pm, be there or be a square

=== general 2024-03-16 23:50
mika: tonight was SO fun, my voice is gone forever
juno: ren's bohemian rhapsody take 3 😭😭
ren: We agreed that was not to be discussed.
mika: we agreed nothing!! it was legendary
dex: the pokemon theme went harder than expected
tomo: the star fries were mid
mika: tomo you ate three baskets of them
tomo: mid but plentiful
mika: lmao
juno: sending pics {img:karaoke_1.jpg} {img:karaoke_2.jpg}
mika: oh no i look like a gremlin in the second one, i love it
ren: You always look like a gremlin.
mika: :3
mika: gn gn!! thank u for coming everyone

=== general 2024-03-18 10:05
mika: studying for my stats exam and i understand nothing ngl
tomo: same
mika: what even is a p value. it sounds like something you'd order at a cafe
ren: It's the probability of data at least that extreme if the null hypothesis is true.
mika: ren i asked what it is not what it MEANS {re}
ren: Those are the same thing.
mika: not in my heart
dex: fwiw this video helped me a lot https://www.youtube.com/watch?v=demoPvalue01 {link:P-values, clearly explained}
mika: ooh ok watching it now
mika: ...ok the guy with the ukulele explained it better than my professor
tomo: he always does
mika: sugoi, i might pass this exam after all!!

=== general 2024-03-20 19:45
mika: friday vibes!! queueing some city pop
jukebox: ➕ Added to queue: Tatsuro Yamashita - Ride on Time — requested by Mika
jukebox: 🎵 Now playing: Tatsuro Yamashita - Ride on Time [5:22]
juno: YESSS
tomo: w
ren: Good choice, for once.
mika: for ONCE?? ren my taste is impeccable {re}
ren: You queued the nyan cat 10 hour loop last week.
mika: that was art
dex: lol
juno: it was kind of art tbh
mika: thank you juno, at least someone gets it

=== general 2024-03-22 13:00
juno: @Mika the new model rig is almost ready!! want a sneak peek?
mika: YES YES YES
juno: {img:model_wip_front.png}
mika: OMG the hair physics?? she bounces!!
juno: she bounces ✨ i added the little cat ear twitch too
mika: i'm going to cry on stream, i'm calling it now
ren: That looks great. Debut date?
mika: next friday!! i'll announce it tomorrow
dex: i can help test the tracking if you want, my webcam is decent
mika: sugoi, team effort!! thank u all so much :3
juno: 🥺💕

=== general 2024-03-23 20:00
mika: ANNOUNCEMENT!! new model debut next friday at 8pm!! come see mika 2.0 :3 {pin} {react:🎉:4}
! pin ren
juno: HYPE 🎉
tomo: will there be a q&a
mika: yes!! send me questions, anything (within reason)
tomo: whats your favorite ramen
mika: tonkotsu, next question
dex: what's your setup? asking for science
mika: a laptop, a dream, and a cat sitting on the keyboard
ren: And a very patient mod team.
mika: and a very patient mod team!! love u ren

=== general 2024-03-25 02:30
mika: can't sleep
ren: Same.
mika: u first
ren: No.

=== general 2024-03-27 18:00
mika: ok i bought the hard game ren keeps talking about. how bad can it be
ren: Oh no.
tomo: lmao
mika: the first enemy killed me. the FIRST one. he was just standing there
ren: That's the tutorial boss. You're supposed to lose.
mika: why would a game do that to me
dex: it's a character building exercise
mika: my character is built. she's crying
juno: mika's soulslike journey, episode 1 😭
mika: ok ok, i'm gonna stream it saturday, 100 deaths challenge!!
ren: You'll hit 100 before the first real boss.
mika: bet!! loser buys ramen
ren: Deal.

=== general 2024-03-29 22:30
mika: DEBUT DONE!! mika 2.0 is officially alive!!
juno: SHE BOUNCED 😭😭 the hair physics looked so good on stream
ren: Peak viewers was 3x your usual. Chat was really kind.
mika: i saw!! i cried twice and mochi walked across the keyboard during the q&a
dex: tracking held up the whole time, zero crashes
mika: sugoi, dex the tracking wizard!! thank u for testing it with me all week
tomo: the cat ear twitch when you laughed was elite
juno: i made that specifically for your laugh 🥺
mika: JUNO. i'm going to cry a third time
ren: Go drink water before you do.
mika: yes sir :3 {react:❤️:3}
juno: proud of you mika ✨
mika: thank u everyone, seriously, this server is my favorite place on the internet

=== general 2024-03-30 23:15
mika: 87 deaths on the first boss but I WON. YATTA!!
ren: I'm genuinely surprised. Congratulations.
juno: chat went feral when you won 😂
mika: that parry at the end was pure luck ngl but we don't talk about that
tomo: gg
dex: the clip is already at 2k views lol https://clips.twitch.tv/DemoParryClip123 {link:the parry - Twitch clip}
mika: 2K?? sugoi!!
ren: So I owe you ramen.
mika: you owe me ramen :3 tonkotsu, extra egg
ren: Fine.
mika: best day ever, gn everyone!!

=== general 2024-04-01 11:00
mika: big news everyone, i'm quitting streaming to become a professional goose farmer
juno: WHAT
tomo: check the date
juno: ...oh
mika: LMAO juno you believed me for a full 10 seconds
juno: i was about to draw a goodbye fanart 😭
ren: I didn't fall for it. You'd never survive a goose.
mika: rude but true
dex: geese are terrifying, good call
mika: ok ok the real announcement is i'm doing a cooking stream next week
ren: Is that the joke?
mika: no!! it's real!! i'm making omurice
tomo: the fire department should be on standby

=== general 2024-04-04 19:30
juno: good evening cozy corner {sticker:Wave}
mika: {sticker:Cat Bounce}
ren: Evening.
mika: i made tea and i have mochi on my lap, today is a perfect day
juno: mochi tax pls
mika: {img:mochi_lap.jpg}
juno: she's so round 🥺
mika: she's 30% fur 70% attitude
dex: bit is watching this photo with great interest
mika: tell bit mochi says hi :3

=== general 2024-04-06 18:45
mika: cooking stream tomorrow!! what do i need for omurice, asking for a friend (me)
dex: eggs, rice, ketchup, a fire extinguisher
mika: dex i will ban you
dex: lol
juno: chicken!! and onions, and a little butter ✨
tomo: and the confidence of a chef
mika: i have that in abundance
ren: You burned instant noodles last month.
mika: the pot was faulty!!
ren: The pot was fine.
mika: ok shopping list: eggs, rice, chicken, onion, ketchup, butter, dignity
juno: you got this!! 🍳

=== general 2024-04-07 21:30
mika: the omurice was a success!! it looked like a sad potato but it tasted AMAZING {img:omurice_sad_potato.jpg}
juno: it's beautiful in its own way 🥺
ren: It does look like a potato.
mika: a DELICIOUS potato {re}
tomo: id eat it
mika: thank u tomo, a man of culture
dex: chat was spamming the fire emoji the whole time lol
mika: it was support!! i'm choosing to believe it was support
juno: i'll draw the potato omurice for the emotes
mika: A POTATO EMOTE. yes. yes yes yes

=== general 2024-04-10 15:00
tomo: failed my calc midterm
mika: oh no tomo :( how bad
tomo: 48
mika: that's not a fail that's an 'almost', you can still fix it with the final
ren: What topic tripped you up?
tomo: integrals
ren: I can go through some problems with you on Saturday if you want.
tomo: fr?
ren: Sure. Bring snacks.
mika: ren-sensei returns!! {re}
ren: No.
mika: ren-sensei :3
tomo: ty ren

=== general 2024-04-13 20:15
mika: guess who got invited to a collab stream!! ME!! with hoshi from the art server!!
juno: AAAA hoshi!! her art is so good ✨
dex: nice! what game?
mika: a co-op puzzle game where you have to share one brain cell
ren: So you'll be fine, you only ever use one.
mika: REN
tomo: lmao
mika: ok that was funny i'll allow it
juno: when is it??
mika: next wednesday 9pm!! i'm so nervous ngl, what if i'm boring
juno: you're literally never boring 🥺
ren: You talk to your cat for an hour every stream. You'll be fine.
mika: ok true, if it gets quiet i'll just introduce mochi

=== general 2024-04-15 20:30
juno: doing a little art stream tonight if anyone wants to hang!! drawing the potato omurice emote ✨
mika: JUNO i'm coming, i'll bring snacks (virtually)
tomo: ill lurk
dex: i'll be there in 20, finishing a pr
juno: yay!! i'm live https://twitch.tv/junodraws_demo {link:junodraws_demo - Twitch}
mika: the potato has a face now?? it's so cute, it looks like it's judging me
juno: it's judging your cooking 😌
mika: rude but fair
ren: Can it have little steam lines? Like it's fresh.
juno: ooh good idea ren!!
mika: ren giving art direction, i've never seen this before
ren: I have opinions about potatoes.

=== general 2024-04-18 01:20
mika: collab was SO FUN, hoshi is the nicest person ever
juno: you two were so cute together!! the brain cell thing was real 😂
mika: we solved the last puzzle by accident and both screamed for like a full minute
dex: my ears are still ringing lol
mika: sorry dex :3
ren: Good stream. Chat was nice too.
mika: yatta!! ok i'm going to sleep, i'm running on pure adrenaline
juno: sleep well!! 💤

=== general 2024-04-21 16:00
dex: @Mika i set up the overlay server on my home lab, it's at 10.0.0.12 port 8080 if you're on my vpn
mika: i understood like four of those words but thank u!!
dex: lol just open the link i'll send you. also don't share the key publicly, it's sk-demo0123456789abcdefghij
ren: Dex. You just shared it publicly.
dex: ...
dex: rotating it now
mika: LMAO
juno: security speedrun any% 😭
dex: rotated. new one goes in dms like a normal person
mika: ok for real tho thank u for setting this up, the overlay looks so clean

=== general 2024-04-24 18:30
mika: thinking of doing stickers as merch!! mochi stickers specifically
juno: i can design them!! 🐱✨
tomo: id buy 10
mika: if anyone wants to help with the shop stuff email me at mika.demo@example.com, i'm terrible at spreadsheets
dex: i can do the spreadsheet, it's basically my love language
mika: sugoi, dex the spreadsheet wizard
ren: How much would they cost?
mika: like 3 dollars? i don't want it to be expensive
ren: That's reasonable. Factor in shipping though.
mika: shipping. right. the final boss of merch

=== general 2024-04-26 21:30
mika: playing a horror game tonight because chat dared me. i'm already scared and i haven't even opened it
ren: Which one?
mika: the one with the haunted convenience store
dex: oh that one's good, the jump scares are cheap tho
mika: CHEAP?? dex i scare at cheap things!! i got scared by a door yesterday
juno: i'll be in chat holding your hand emotionally 🥺
tomo: ill be in chat laughing
mika: tomo!!
tomo: supportively laughing
mika: ok fine. going live in 10, pray for me
jukebox: 🎵 Now playing: spooky ambience for brave streamers [1:00:00]
mika: jukebox why

=== general 2024-04-28 20:00
juno: what's everyone listening to lately?? i need new music for drawing
mika: i've been looping yoasobi all week ngl, idol is stuck in my head permanently
ren: A lot of post-rock. Long songs, no lyrics, good for focus.
tomo: phonk
mika: tomo that's so tomo
tomo: its good for the gym
dex: i've listened to the same synthwave playlist every day for 3 years
juno: ok i'm taking all of these ✨
jukebox: 🎵 Now playing: YOASOBI - Idol [3:33]
mika: jukebox read my mind!! sugoi
ren: You queued it two minutes ago.
mika: shhh let me have this

=== general 2024-05-02 12:15
mika: it's raining so hard the cat is offended
juno: mochi hates rain?? 🥺
mika: she sits at the window and yells at it. every. time.
tomo: relatable
ren: She's right to be offended.
mika: ok rainy day = cozy stream later, probably just chatting and drawing badly
juno: i'll join the drawing!! we can draw each other
mika: yes!! art collab!! :3

=== general 2024-05-05 19:00
juno: @Mika
juno: @Mika you're live??
mika: yes!! just started, chatting stream, come hang out
juno: omw!! ✨
tomo: @Mika
mika: tomo i said i'm live lmao, come
tomo: coming

=== general 2024-05-08 22:00
mika: what if i did a subathon for my 1 year anniversary
ren: How long?
mika: like 24 hours max, i'm not a robot
dex: you'll need a timer widget, i can make one
juno: and i can do a special illustration for it!! 🎂
tomo: ill take the 4am shift
mika: tomo you're up at 4am anyway
tomo: exactly
mika: ok this is happening. subathon june 1st!! yatta!!
ren: I'll organize the mod schedule.
mika: ren you're the best mod in the world, no cap
ren: I know.

=== general 2024-05-12 15:30
mika: ngl today was kinda rough, got a bad grade and a rude comment on stream
juno: oh no 🥺 do you want to talk about it?
mika: it's okay, just a bit sad. the comment said my voice is annoying
ren: That person is wrong and has been banned.
tomo: fr ren banned him in 3 seconds
dex: your voice is literally why people watch lol
mika: you guys... ok i'm crying but the good kind
juno: sending mochi-shaped hugs 🐱💕
mika: thank u all so much, i'm gonna make ramen and watch anime and reset
ren: Good plan.

=== general 2024-05-15 18:00
mika: game night friday!! mario kart or the party game with the minigames?
tomo: mario kart
ren: Mario Kart. The party game ends friendships.
juno: mario kart!! i'll be toad ✨
dex: i'm going to main rainbow road shortcuts, consider yourselves warned
mika: ok mario kart it is, 9pm, i'll send the room code in here
ren: Don't use the blue shell on me this time.
mika: no promises :3

=== general 2024-05-17 22:45
mika: gg everyone!! that was chaos
ren: You blue shelled me three times.
mika: and i'd do it again
dex: i fell off rainbow road 11 times, new record
juno: toad won ONE race and that's all that matters 🏆
tomo: ggs
mika: tomo got first in like every race, are you secretly a pro
tomo: no comment
mika: sus
ren: Rematch next week.
mika: rematch next week!! ok gn everyone

=== general 2024-05-21 17:30
mika: finished the cat anime juno recommended and i'm emotionally destroyed
juno: the ending 😭😭😭
mika: WHY did the old cat have to go to the stars like that
ren: I haven't seen it, so don't spoil it.
mika: sorry!! ok no spoilers. it's about cats. it's perfect. watch it
ren: Adding it to my list.
tomo: is it sad
mika: it's the saddest thing i've ever seen and i'd watch it again tomorrow
tomo: hard pass

=== general 2024-05-25 14:00
dex: @Mika timer widget is done, here's the repo https://github.com/dex-demo/subathon-timer {link:dex-demo/subathon-timer}
mika: DEX THE LEGEND
juno: illustration is 90% done!! sneak peek {img:subathon_wip.png}
mika: juno i'm going to cry, mochi with a party hat!!
ren: Mod schedule is in the pinned doc. Tomo has 3am to 7am.
tomo: 🫡
mika: you guys are the best team a tiny streamer could ask for, i mean it
ren: You're not that tiny anymore.
mika: ren... :3

=== general 2024-05-29 19:00
mika: 3 days until the subathon!! i'm making a schedule so i don't just vibe for 24 hours
juno: what's on it?? 👀
mika: hour 1 cooking (omurice 2.0), hour 5 karaoke, hour 12 horror game, hour 20 cake, hour 23 crying
ren: Hour 23 crying is the most realistic part.
tomo: put a nap somewhere
mika: no naps!! that's the whole point
dex: the timer can pause for naps if you want, just saying
mika: dex don't tempt me
juno: can i do a drawing segment?? we could draw mochi live together 🎨
mika: YES hour 8 is now art hour with juno!! sugoi
ren: I'll add it to the mod notes.

=== general 2024-06-02 10:00
mika: WE DID IT!! 24 hours!! i slept 12 hours after and i'm still tired
juno: the cake reveal at hour 20 😭✨
dex: timer worked flawlessly if i do say so myself
ren: It crashed once at hour 6.
dex: it worked flawlessly except for once {edited}
mika: LMAO ok it was perfect anyway. thank u all so much, seriously
tomo: 4am chat was unhinged
mika: 4am chat was the BEST chat, someone taught me to say "sugoi" in 12 accents
ren: That someone was you. You did it alone.
mika: huh. ok that tracks

=== general 2024-06-05 19:30
tomo: yo
mika: yo!!
tomo: w
mika: lol

=== general 2024-06-11 20:00
mika: guess who's going to kyoto in august!! ME
juno: WHAT that's amazing!! 🏯✨
tomo: bring back snacks
mika: tomo you only ever care about food
tomo: yes
ren: Who are you going with?
mika: my friend yuki and her boyfriend josé, we're sharing a room
dex: get a pocket wifi, the train stations get confusing
mika: noted!! dex travel tips are always elite
juno: please take a million pictures of temples, i need references
mika: i'll take pictures of every single cat i see, that's a promise
ren: That's going to be a lot of pictures.
mika: exactly :3
"""

DM_REN = """
=== dm 2024-03-03 11:00
mika: ren!! thank u for modding last night, you're the best
ren: No problem. You did great.
mika: do you think the rhythm game streams are doing ok? numbers went up a little
ren: They're good. You're more relaxed when you play music games.
mika: ngl that makes sense, i don't have to think, just vibe
ren: Maybe do them every Saturday? Consistency helps.
mika: ooh a schedule!! like a real streamer!!
ren: You are a real streamer.
mika: :3

=== dm 2024-03-11 20:00
mika: are you free for a call? i want to plan the debut stuff
ren: Sure, give me five minutes.
! call mika 47
mika: ok that was super helpful, writing it all down
ren: Send me the list when you're done and I'll set up the mod commands.
mika: yatta, will do!!

=== dm 2024-03-14 13:00
mika: ren can you call the karaoke place? my phone is dead and they need to confirm
ren: Sure, what's the number?
mika: +1 555 0100 2233, ask for the booking under mika
ren: Done. Room 4, Saturday 6pm.
mika: sugoi!! you're a lifesaver

=== dm 2024-03-19 23:30
mika: ren what's the boss in area 2, the one with the big hammer
ren: The hammer knight? Dodge left, always left.
mika: why left
ren: His swing tracks right. Trust me.
mika: ok trying
mika: LEFT WORKS
ren: Told you.
mika: ok i'm out of estus and will to live, gtg sleep
ren: Night.

=== dm 2024-03-28 21:00
mika: ren i'm so nervous about tomorrow
ren: The debut?
mika: yes!! what if the model breaks or i freeze or the internet dies
ren: Dex tested the tracking, Juno checked the rig twice, and I'll be modding. If the internet dies, we post a notice and you restart.
mika: ok that's a very calm answer
ren: It's a normal stream with a new model. You've done 200 streams.
mika: 200?? have i really
ren: 214. I counted for the anniversary.
mika: ren... you counted??
ren: Go to sleep. Big day tomorrow.
mika: ok ok. thank u ren :3

=== dm 2024-04-02 21:00
mika: hey can i ask you something kinda serious
ren: Of course.
mika: do you think i'm annoying on stream sometimes? like too loud
ren: No. You're loud, but it's the fun kind. People come for that.
mika: ok. someone said something in chat and it stuck with me
ren: Want me to find the message and ban them?
mika: no no it's fine!! i just needed to hear it from someone i trust
ren: You're doing well. Don't let one person ruin it.
mika: thank u ren. really

=== dm 2024-04-09 18:00
ren: I still owe you ramen. Thursday?
mika: YES. the tonkotsu place?
ren: Yes. 7pm.
mika: extra egg, you promised
ren: I remember.
mika: yatta!! ok see you thursday

=== dm 2024-04-11 22:30
mika: that ramen was life changing ngl
ren: It was good. The egg was perfect.
mika: you smiled twice tonight, i counted
ren: I smile all the time.
mika: you absolutely do not lmao
ren: Goodnight, Mika.

=== dm 2024-04-16 19:00
mika: ren do you want to study together on call? i have a paper due friday and zero words
ren: Sure. Pomodoro?
mika: yes!! 25 min on, 5 min off, no phones
ren: You'll check your phone in 3 minutes.
mika: i will NOT
! call ren 95
mika: ok 1200 words!! yatta!!
ren: Good work. You checked your phone twice.
mika: that was for research

=== dm 2024-04-30 16:00
mika: look at this cat video https://www.youtube.com/watch?v=demoCatVideo {link:cat vs cucumber, round 2}
ren: Why is it always cucumbers.
mika: cats just fear them!! it's science
ren: It's not science.
mika: it's cat science
ren: Fine.
mika: lmao

=== dm 2024-05-10 23:00
mika: i'm so tired ngl, i streamed 5 hours and then did homework
ren: Take tomorrow off. Seriously.
mika: but the schedule!!
ren: Your viewers would rather you not burn out. Post a day off notice, I'll pin it.
mika: ...ok you're right. day off tomorrow
ren: Good.
mika: you're a good friend ren, you know that right
ren: I know.
mika: gn!!

=== dm 2024-05-19 14:00
mika: {sticker:Cat Bounce}
ren: Hi.
mika: hi!! can i tell you something, i'm nervous about the subathon
ren: Why?
mika: what if nobody shows up at 4am and i'm just talking to myself for hours
ren: Then you talk to Mochi. Also Tomo will be there, he's always up at 4am.
mika: lmao true, tomo is basically nocturnal
ren: You'll be fine. The mod team has you.
mika: ok. thank u, i feel better :3

=== dm 2024-05-22 20:00
mika: did you start the cat anime yet
ren: Episode 3.
mika: AND??
ren: It's good. The old cat is my favorite.
mika: oh no. oh no ren
ren: What?
mika: nothing!! nothing at all. keep watching :3
ren: That's suspicious.
mika: i would never spoil it, i'm just gonna mail you some tissues
ren: Great. Very reassuring.

=== dm 2024-05-27 09:00
ren: You up?
mika: barely
ren: ok

=== dm 2024-06-03 12:00
mika: ok i'm finally alive again after the subathon
ren: How do you feel?
mika: like a raccoon that got hit by a truck, but a happy raccoon
ren: That's a very specific feeling.
mika: brb mochi is screaming for food
mika: ok back. anyway thank u for organizing the mods, it was so smooth
ren: It was a good team. Everyone wanted to help.
mika: because everyone loves you ren!!
ren: Because everyone loves you. Don't get it twisted.
mika: ren... that's the nicest thing you've ever said
ren: Don't get used to it.

=== dm 2024-06-08 20:00
mika: summer plans!! i want to go to the beach and also never leave my room. both at once
ren: That's not possible.
mika: watch me
ren: I'm visiting my parents for two weeks in July.
mika: aww that's nice!! will you have internet?
ren: Barely. I'll check in when I can.
mika: ok but if you're gone who will ban the trolls
ren: Dex and Juno. They're ready.
mika: dex bans people for using comic sans. this is going to be chaos :3
ren: It'll be fine.
"""

MESSENGER = """
=== messenger 2024-03-03 10:00
yuki: Mika!! Are you coming to José's birthday dinner on Saturday? 🎂
mika: yesss!! what do i bring
yuki: Nothing, just yourself. Maybe a card
mika: a card with mochi on it obviously
yuki: Obviously 😂
mika: where is it again?
yuki: That little café near the station, the one with the crêpes
mika: SUGOI the crêpe place!! i'm there
yuki: 7pm, don't be late like last time 😤
mika: i was late ONE time and it was the bus's fault

=== messenger 2024-03-09 23:30
mika: tonight was so fun!! josé's face when the cake came out lmao
yuki: He cried a little 🥹
mika: he did!! and then denied it
yuki: Classic José
mika: {photo}
yuki: Omg send me that one!! We look so good {react:😍}
mika: sent!! also i ate way too many crêpes, i'm a crêpe now
yuki: Crêpe Mika 😂
mika: goodnight yuki!! 💤

=== messenger 2024-03-20 15:00
yuki: Library tomorrow? I need to finish my Spanish essay 📚
mika: yes!! i need to do stats, we can suffer together
yuki: Perfect. 10am?
mika: 10am is so early ngl... 11?
yuki: 10:30, final offer
mika: deal!! i'll bring onigiri
yuki: You're the best ❤️

=== messenger 2024-03-27 12:00
mika: yuki!! my new model debuts friday, 8pm, please come 🥺
yuki: I already set a reminder!! Wouldn't miss it ✨
mika: juno made her with cat ears that twitch when i laugh
yuki: That's adorable. Is Mochi making an appearance?
mika: mochi makes an appearance whether i want her to or not lmao
yuki: She's the real star, you know that right
mika: i know. i'm just her assistant
yuki: 😂😂
yuki: Good luck!! You'll be amazing ❤️
mika: thank u yuki!! see you in chat

=== messenger 2024-04-02 19:00
mika: Mika Hoshino sent a link. {share:https://www.instagram.com/p/DemoCatReel42/}
yuki: HAHAHA the cat in the box 😂
mika: that's literally mochi every day
yuki: I need to meet Mochi in person, it's been too long
mika: come over saturday!! she'll ignore you at first but then she'll sit on you
yuki: Deal 🐱
yuki: {unsent}
yuki: Ignore that, wrong chat 🙈
mika: lmao now i'm curious

=== messenger 2024-04-13 19:30
yuki: Thank you for today!! Mochi is the cutest {photo}
mika: she misses you already, she's sitting by the door :3
yuki: 🥺🥺
mika: Mika Hoshino reacted ❤️ to your message
mika: next time josé has to come too, mochi needs to approve him
yuki: He's allergic 😭
mika: NOOO. ok he can visit through the window
yuki: Hahaha I'll tell him

=== messenger 2024-04-25 21:00
mika: are you watching the stream tomorrow?? it's the collab rewatch
yuki: Of course! I'll be in chat as always ✨
mika: yatta!! say hi to mochi when she shows up
yuki: I always do, she never answers 😤
mika: she's shy on camera lmao
! call yuki 23

=== messenger 2024-05-06 16:00
yuki: How did the stats exam go?? 🙏
mika: i PASSED!! 78!!
yuki: MIKAAA 🎉🎉
mika: the ukulele guy on youtube saved my life ngl
yuki: We have to celebrate! Ramen?
mika: ramen!! friday?
yuki: Friday 👍
mika: yatta :3

=== messenger 2024-05-18 20:00
yuki: José made jalapeño poppers and now our whole apartment smells like smoke 🌶️🔥
mika: LMAO is he okay
yuki: He's fine, his pride is not
mika: tell him he should come on my cooking stream, we can be chaotic together
yuki: He would love that actually
mika: the two worst cooks in one kitchen, chat would go insane
yuki: I'll bring the fire extinguisher 🧯

=== messenger 2024-05-24 18:00
yuki: José says yes to the cooking stream!! He's already practicing 🍳
mika: YATTA!! what are we making
yuki: He wants to make tortilla española. His grandma's recipe
mika: sugoi, a real recipe!! i can only make sad potato omurice
yuki: That's perfect, tortilla is basically potatoes too 😂
mika: a potato themed stream!! chat is going to love this
yuki: I'll bring the onions, he says the secret is cooking them slowly
mika: noted. slow onions. i can do slow
yuki: Can you though 👀
mika: no but i'll try :3

=== messenger 2024-05-31 22:00
yuki: Good luck tomorrow!!! 24 hours 😱
mika: i'm so nervous yuki, what if i fall asleep on camera
yuki: Then chat gets to watch you sleep, that's content
mika: lmao true, sleep stream
yuki: I'll be there for the first 6 hours and then again in the morning ☀️
mika: you're the best, seriously, thank u for always showing up
yuki: Always ❤️ Now go to sleep!!
mika: going to bed now!! gn!!

=== messenger 2024-06-10 13:00
yuki: Summer trip idea: Kyoto in August? 🏯
mika: KYOTO?? yes yes yes, i've wanted to go forever
yuki: José found cheap flights, we could share a room
mika: sugoi!! i can finally say "arigatou" to a real person and not just chat
yuki: Hahaha. Budget around 900€ each?
mika: ok i need to save up... no more gacha for me ngl
yuki: The ultimate sacrifice 😭
mika: for kyoto i would give up anything. except mochi
yuki: Mochi stays with my mom, she already said yes 🐱
mika: YATTA!! kyoto trip is happening!!
"""

# --- parsing the dialogue ------------------------------------------------------------------

_TAG = re.compile(r"\s*\{(re|pin|edited|img|sticker|link|react|photo|share|unsent)(?::([^}]*))?\}")


@dataclass
class Line:
    who: str
    text: str = ""
    tags: list[tuple[str, str]] = field(default_factory=list)
    system: str | None = None  # join | pin | call
    minutes: int = 0

    def tag(self, name: str) -> list[str]:
        return [value for key, value in self.tags if key == name]

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.tags)


@dataclass
class Conversation:
    channel: str
    start: datetime
    lines: list[Line]


def parse_dialogue(script: str) -> list[Conversation]:
    conversations: list[Conversation] = []
    for raw in script.strip().splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("==="):
            channel, day, hour = line[3:].split()
            start = datetime.strptime(f"{day} {hour}", "%Y-%m-%d %H:%M").replace(tzinfo=timezone.utc)
            conversations.append(Conversation(channel, start, []))
        elif line.startswith("!"):
            kind, who, *rest = line[1:].split()
            conversations[-1].lines.append(Line(who, system=kind, minutes=int(rest[0]) if rest else 0))
        else:
            who, _, text = line.partition(":")
            tags = [(m[1], m[2] or "") for m in _TAG.finditer(text)]
            conversations[-1].lines.append(Line(who.strip(), _TAG.sub("", text).strip(), tags))
    return conversations


def timeline(conversations: list[Conversation]) -> list[tuple[datetime, Line]]:
    """Each line with its time: replies come 10 s to ~3 min apart; calls take their minutes."""
    out: list[tuple[datetime, Line]] = []
    last_end: datetime | None = None
    for conv in conversations:
        assert last_end is None or conv.start - last_end > timedelta(minutes=30), f"{conv.channel} {conv.start}: starts too soon"
        rng = random.Random(f"{conv.channel}:{conv.start.isoformat()}")
        t = conv.start + timedelta(seconds=rng.uniform(0, 50))
        for i, line in enumerate(conv.lines):
            if i:
                t += timedelta(seconds=min(170.0, rng.uniform(8, 35) + 0.5 * len(line.text)))
            t = t.replace(microsecond=rng.randrange(1000) * 1000)
            out.append((t, line))
            if line.system == "call":
                t += timedelta(minutes=line.minutes, seconds=rng.uniform(30, 90))
        last_end = t
    return out


def _iso(t: datetime) -> str:
    return t.isoformat(timespec="milliseconds")


def _digest(*parts: object) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()[:8], "big")


# --- DiscordChatExporter JSON --------------------------------------------------------------

def snowflake(t: datetime, seq: int) -> str:
    ms = int(t.timestamp() * 1000)
    return str(((ms - DISCORD_EPOCH_MS) << 22) | (1 << 17) | (seq & 0xFFF))


def _reaction(emoji: str, count: int, author: User) -> dict:
    code, twemoji = EMOJI[emoji]
    others = [u for u in USERS.values() if u != author and not u.is_bot][:count]
    return {
        "emoji": {"id": "", "name": emoji, "code": code, "isAnimated": False, "imageUrl": f"https://cdn.jsdelivr.net/gh/twitter/twemoji@latest/assets/svg/{twemoji}.svg"},
        "count": count,
        "users": [{**u.mention(), "avatarUrl": u.avatar()} for u in others],
    }


def discord_export(key: str, script: str) -> dict:
    guild, channel = CHANNELS[key]
    guild_id = guild["id"] if guild["id"] != "0" else None
    messages: list[dict] = []
    pin_target: dict | None = None
    for seq, (t, line) in enumerate(timeline(parse_dialogue(script))):
        user = USERS[line.who]
        mid = snowflake(t, seq)
        m = {
            "id": mid,
            "type": "Default",
            "timestamp": _iso(t),
            "timestampEdited": _iso(t + timedelta(seconds=40)) if line.has("edited") else None,
            "callEndedTimestamp": None,
            "isPinned": False,
            "content": line.text,
            "author": user.author(),
            "attachments": [],
            "embeds": [],
            "stickers": [],
            "reactions": [],
            "mentions": [],
        }
        if line.system == "join":
            m.update(type="GuildMemberJoin", content="Joined the server.")
        elif line.system == "pin":
            target = pin_target or next(x for x in reversed(messages) if x["type"] in ("Default", "Reply"))
            target["isPinned"] = True
            m.update(type="ChannelPinnedMessage", content="Pinned a message.", reference={"messageId": target["id"], "channelId": channel["id"], "guildId": guild_id})
        elif line.system == "call":
            m.update(type="Call", content=f"Started a call that lasted {line.minutes} minutes.", callEndedTimestamp=_iso(t + timedelta(minutes=line.minutes)))
        else:
            for n, file_name in enumerate(line.tag("img")):
                att_id = str(int(mid) + 1 + n)
                m["attachments"].append({
                    "id": att_id,
                    "url": f"https://cdn.discordapp.com/attachments/{channel['id']}/{att_id}/{file_name}",
                    "fileName": file_name,
                    "fileSizeBytes": 80_000 + _digest(file_name) % 2_400_000,
                })
            for name in line.tag("sticker"):
                sticker_id = str(749054660769218631 + _digest(name) % 10**12)
                m["stickers"].append({"id": sticker_id, "name": name, "format": "Apng", "sourceUrl": f"https://cdn.discordapp.com/stickers/{sticker_id}.png"})
            for title in line.tag("link"):
                url = re.search(r"https?://\S+", line.text)[0]
                m["embeds"].append({"title": title, "url": url, "timestamp": None, "description": "", "color": None, "thumbnail": None, "images": [], "fields": [], "inlineEmojis": []})
            for spec in line.tag("react"):
                emoji, _, count = spec.partition(":")
                m["reactions"].append(_reaction(emoji, int(count or 1), user))
            for name in dict.fromkeys(re.findall(r"@(\w+)", line.text)):
                mentioned = next((u for u in USERS.values() if u.nickname.lower() == name.lower()), None)
                if mentioned:
                    m["mentions"].append(mentioned.mention())
            if line.has("re"):
                replied = next(x for x in reversed(messages) if x["author"]["id"] != user.id and x["type"] in ("Default", "Reply"))
                m["type"] = "Reply"
                m["reference"] = {"messageId": replied["id"], "channelId": channel["id"], "guildId": guild_id}
            if line.has("pin"):
                pin_target = m
        messages.append(m)
    return {
        "guild": guild,
        "channel": channel,
        "dateRange": {"after": None, "before": None},
        "exportedAt": EXPORTED_AT,
        "messages": messages,
        "messageCount": len(messages),
    }


# --- Messenger "Download your information" JSON --------------------------------------------

THREAD = "inbox/mikaandyuki_abc123"


def mojibake(value: object) -> object:
    """What Messenger's exporter does to text: UTF-8 bytes written as latin-1 code points."""
    if isinstance(value, str):
        return value.encode("utf-8").decode("latin-1")
    if isinstance(value, list):
        return [mojibake(v) for v in value]
    if isinstance(value, dict):
        return {k: mojibake(v) for k, v in value.items()}
    return value


def messenger_export(script: str) -> dict:
    messages = []
    for t, line in timeline(parse_dialogue(script)):
        sender = MESSENGER_NAMES[line.who]
        other = next(n for k, n in MESSENGER_NAMES.items() if k != line.who)
        ms = int(t.timestamp() * 1000)
        m: dict = {"sender_name": sender, "timestamp_ms": ms}
        if line.system == "call":
            m.update(content=f"{sender} started a call.", call_duration=line.minutes * 60, type="Call")
        elif line.has("unsent"):
            m.update(is_unsent=True, type="Generic")
        else:
            if line.text:
                m["content"] = line.text
            if line.has("photo"):
                m["photos"] = [{"uri": f"messages/{THREAD}/photos/{_digest(ms) % 10**15}_{_digest(ms, 1) % 10**16}.jpg", "creation_timestamp": ms // 1000}]
            for url in line.tag("share"):
                m["share"] = {"link": url}
            for emoji in line.tag("react"):
                m["reactions"] = [{"reaction": emoji, "actor": other}]
            m["type"] = "Generic"
        m["is_geoblocked_for_viewer"] = False
        messages.append(m)
    messages.sort(key=lambda m: m["timestamp_ms"], reverse=True)  # newest first, as exported
    return mojibake({
        "participants": [{"name": MESSENGER_NAMES["yuki"]}, {"name": MESSENGER_NAMES["mika"]}],
        "messages": messages,
        "title": MESSENGER_NAMES["yuki"],
        "is_still_participant": True,
        "thread_type": "Regular",
        "thread_path": THREAD,
        "magic_words": [],
    })


def write(path: Path, data: dict, ensure_ascii: bool) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, ensure_ascii=ensure_ascii) + "\n", encoding="utf-8")
    return len(data["messages"])


def main() -> None:
    counts = {
        "raw/discord/cozy-corner_general.json": write(RAW / "discord" / "cozy-corner_general.json", discord_export("general", GENERAL), ensure_ascii=False),
        "raw/discord/dm_ren.json": write(RAW / "discord" / "dm_ren.json", discord_export("dm", DM_REN), ensure_ascii=False),
        f"raw/messenger/{THREAD}/message_1.json": write(RAW / "messenger" / THREAD / "message_1.json", messenger_export(MESSENGER), ensure_ascii=True),
    }
    for name, n in counts.items():
        print(f"{n:4d} messages  {name}")
    conversations = sum(len(parse_dialogue(s)) for s in (GENERAL, DM_REN, MESSENGER))
    print(f"{sum(counts.values()):4d} messages in {conversations} conversations")


if __name__ == "__main__":
    main()
