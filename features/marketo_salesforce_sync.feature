Feature: Marketo's own Salesforce sync (simulated by the Marketo mock)
  Salesforce leads and contacts, with their owner, account and opportunity, become or
  update Marketo persons; Marketo's unsubscribed and Salesforce's Email Opt Out follow
  each other.

  @M-SF-SYNC
  Scenario: A Salesforce lead owned by a user becomes a Marketo person with its owner
    Given Salesforce has the user "Rita Rep" with email "rita.rep@acme.example"
    And a Salesforce lead "Lena Lead" at "Lead Co" with email "lena@leadco.example" is created for the user "rita.rep@acme.example"
    When Marketo's Salesforce sync runs
    Then Marketo has a person with email "lena@leadco.example" of SFDC type "Lead"
    And that Marketo person has the Salesforce lead's ID and its owner's ID

  @M-SF-SYNC
  Scenario: A contact brings its account and its account's opportunity
    Given the data set "owner-filter" in Salesforce only
    And the Salesforce account "Acme Corp" has an opportunity "Acme Renewal"
    When Marketo's Salesforce sync runs
    Then Marketo has a person with email "carla@acme.example" of SFDC type "Contact"
    And that Marketo person has the Salesforce contact's ID, account ID and opportunity ID

  @M-SF-SYNC @reference
  Scenario: A lead owned by a queue becomes a Marketo person with no sales owner
    Given the data set "owner-filter" in Salesforce only
    When Marketo's Salesforce sync runs
    Then Marketo has a person with email "quinn@queueco.example" of SFDC type "Lead"
    And that Marketo person has no sales owner

  @M-SF-SYNC
  Scenario: Changes made by Marketo's Salesforce sync show in the lead-change feed
    Given the data set "owner-filter" in Salesforce and Marketo
    When the Salesforce contact "carla@acme.example" gets the title "VP Procurement"
    And Marketo's Salesforce sync runs
    Then Marketo's lead-change feed shows the title of "carla@acme.example" changed to "VP Procurement"

  @M-SF-SYNC
  Scenario: Email Opt Out in Salesforce unsubscribes the Marketo person
    Given the data set "owner-filter" in Salesforce and Marketo
    When the Salesforce lead "lena@leadco.example" opts out of email
    And Marketo's Salesforce sync runs
    Then the Marketo person "lena@leadco.example" is unsubscribed

  @M-SF-SYNC
  Scenario: Unsubscribing in Marketo sets Email Opt Out in Salesforce
    Given the data set "owner-filter" in Salesforce and Marketo
    When the Marketo person "carla@acme.example" unsubscribes
    And Marketo's Salesforce sync runs
    Then the Salesforce contact "carla@acme.example" has opted out of email

  @M-SF-SYNC @reference
  Scenario: A converted lead's Marketo person becomes the contact's
    Given the data set "owner-filter" in Salesforce and Marketo
    When the Salesforce lead "lena@leadco.example" is converted
    And Marketo's Salesforce sync runs
    Then Marketo has a person with email "lena@leadco.example" of SFDC type "Contact"
    And that Marketo person keeps the converted lead's ID
