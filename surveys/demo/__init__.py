"""Demo content for ``manage.py seed_demo``: a bilingual survey on global AI governance and a
synthetic expert panel with planted group differences, for trying the app and its analysis.

``questionnaire`` holds the questionnaire as plain data; ``panel`` and ``answers`` plan the
synthetic experts and what they answer (``texts``: their open answers); ``seed`` writes it all
through the services.
"""
