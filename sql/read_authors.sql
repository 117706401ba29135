-- The words of each author's name in read_authors (mine_chat.sql), for read_kernel.py to see a lead-in naming the
-- author of a message ("Mika says ..."). Reads: read_authors.
SELECT author, norm_words(author_name) AS words FROM read_authors ORDER BY author;
